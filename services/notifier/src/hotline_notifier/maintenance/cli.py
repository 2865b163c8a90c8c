"""`hotline maintenance ...`: schedule, list, show, reschedule, cancel and complete maintenance
windows, and announce relevant platform changes (`schedule --kind change`), through the
notifier's HTTP API.

Mounted into the `hotline` command through the `hotline.cli` entry point; the notifier is found
as `hotline_notifier.cli_client` says. A refusal prints one line with its reason and exits 1;
an unreachable notifier exits 2.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from hotline_notifier.cli_client import AsJson, Url, call
from hotline_notifier.maintenance.schedule import COMMANDS
from hotline_notifier.templates import local

app = typer.Typer(no_args_is_help=True, help="Maintenance windows: notice to affected customers.")

Note = Annotated[str | None, typer.Option("--note", help="free text, told to the customers")]
Window = Annotated[str, typer.Argument(help="the window's id, or its first 8+ characters")]


def _instant(text: str) -> str:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO-8601 instant") from None
    if parsed.utcoffset() is None:
        raise typer.BadParameter(f"{text!r} needs a UTC offset, e.g. 2026-12-02T02:00:00-08:00")
    return parsed.isoformat()


Start = Annotated[str, typer.Option("--start", help="when the work begins (ISO-8601 with offset)",
                                    callback=_instant)]
def _maybe_instant(text: str | None) -> str | None:
    return None if text is None else _instant(text)


End = Annotated[str | None, typer.Option(
    "--end", help="when it ends (ISO-8601 with offset); a change: optional, defaults to --start",
    callback=_maybe_instant)]
Kind = Annotated[str, typer.Option(
    "--kind", help="maintenance, or change: a relevant platform change taking effect at --start")]
Emergency = Annotated[bool, typer.Option(
    "--emergency", help="emergency maintenance or change: less than 24 hours' notice is allowed, "
    "and every notice says it is an emergency")]


def _print(window: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(window, indent=2))
        return
    starts, ends = (datetime.fromisoformat(window[k]) for k in ("starts_at", "ends_at"))
    kind = ("EMERGENCY" if window["emergency"] else "planned") + (
        " change" if window.get("kind") == "change" else "")
    customers = "all customers" if window["all_customers"] else ", ".join(window["customers"])
    typer.echo(f"{window['id']}  {window['status']}  {kind}  {'+'.join(window['services'])}  "
               f"{local(starts)} – {local(ends)}  {customers}")
    for label, key in (("reason", "reason"), ("reminder due", "reminder_due_at"),
                       ("reminded", "reminded_at"), ("started", "started_at"),
                       ("completed", "completed_at"), ("cancelled", "cancelled_at")):
        if window.get(key):
            value = window[key] if key == "reason" else local(datetime.fromisoformat(window[key]))
            typer.echo(f"  {label:<13} {value}")


@app.command()
def schedule(start: Start,
             services: Annotated[str, typer.Option("--services", help="core, supporting or both "
                                                   "(comma-separated)")],
             customers: Annotated[str, typer.Option("--customers", help='"Acme Corp,Globex '
                                                    'Telecom", or all')],
             reason: Annotated[str, typer.Option("--reason", help="why (a change: what changes), "
                                                 "as customers are told")],
             end: End = None, kind: Kind = "maintenance", emergency: Emergency = False,
             url: Url = None, as_json: AsJson = False) -> None:
    """Schedule a window, or announce a change (--kind change); the affected customers'
    contacts are told at once."""
    body = {"kind": kind, "starts_at": start, "ends_at": end, "reason": reason,
            "emergency": emergency, "services": _listed(services), "customers": _listed(customers)}
    _print(call("POST", url, "/maintenance", body), as_json)


def _listed(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@app.command("list")
def list_windows(status: Annotated[str | None, typer.Option(
                     "--status", help="scheduled, started, completed or cancelled")] = None,
                 url: Url = None, as_json: AsJson = False) -> None:
    """Windows, latest start first."""
    windows = call("GET", url, "/maintenance", params={"status": status} if status else None)
    if as_json:
        typer.echo(json.dumps(windows, indent=2))
    for window in [] if as_json else windows:
        _print(window, False)


@app.command()
def show(window: Window, url: Url = None, as_json: AsJson = False) -> None:
    """One window."""
    _print(call("GET", url, f"/maintenance/{window}"), as_json)


@app.command()
def reschedule(window: Window, start: Start, end: End = None, emergency: Emergency = False,
               note: Note = None, url: Url = None, as_json: AsJson = False) -> None:
    """Move a window that has not started to new times; the affected contacts are told."""
    body = {"starts_at": start, "ends_at": end, "emergency": emergency, "note": note}
    _print(call("POST", url, f"/maintenance/{window}/reschedule", body), as_json)


def _note_command(command: str, doc: str) -> None:
    def change(window: Window, note: Note = None, url: Url = None, as_json: AsJson = False) -> None:
        _print(call("POST", url, f"/maintenance/{window}/{command}", {"note": note}), as_json)

    change.__doc__ = doc
    app.command(command)(change)


for _command, _window_command in COMMANDS.items():
    if _command != "reschedule":  # takes new times, above
        _note_command(_command, _window_command.summary)
