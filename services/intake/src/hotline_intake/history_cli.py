"""`hotline history T-… [--as-of ISO] [--json]`: a ticket's whole life, across every service,
through intake's `GET /tickets/{number}/history` (auditor or admin token).

One line per entry, in time order: the instant in the support calendar's zone (Pacific by
default) and in UTC, the service, the event and a summary. With `--as-of`, only what was
recorded by then, followed by the ticket and its clocks as they stood then. Services that did
not answer are named at the end (on stderr). `--json` prints the answer as it came.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Any

import typer

from hotline.calendar import SupportCalendar
from hotline.cli.service_api import AsJson, ServiceApi
from hotline.history import parse_instant

INTAKE = ServiceApi("intake", 8080)
Url = INTAKE.url_option
app = typer.Typer(help="A ticket's whole life, in order, across every service.",
                  invoke_without_command=True, no_args_is_help=True,
                  context_settings={"allow_interspersed_args": True})  # options after T-…


@app.callback(invoke_without_command=True)
def show_history(
    number: Annotated[str, typer.Argument(help="ticket number, e.g. T-000042")],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="ISO-8601 instant with offset: the ticket and its clocks as they stood then")] = None,
    as_json: AsJson = False,
    url: Url = None,
) -> None:
    """Every event of the ticket: its lifecycle and conversation, each SLA clock change with its
    due instants and versions, every notification with its delivery result, the outage review,
    charges and credits. Times in Pacific and UTC."""
    params = {}
    if as_of is not None:
        try:
            at = datetime.fromisoformat(as_of)
        except ValueError:
            raise typer.BadParameter(f"{as_of!r} is not an ISO-8601 instant", param_hint="--as-of") from None
        if at.utcoffset() is None:
            raise typer.BadParameter("give the instant's UTC offset, e.g. 2026-11-28T04:00:00-08:00",
                                     param_hint="--as-of")
        params["as_of"] = at.isoformat()
    found = INTAKE.call("GET", url, f"/tickets/{number}/history", params=params)
    if as_json:
        typer.echo(json.dumps(found, indent=2))
        return
    for line in lines(found, SupportCalendar.from_settings().zone):
        typer.echo(line)
    for missing in found.get("unavailable", []):
        typer.echo(f"not included: {missing['service']} ({missing['reason']})", err=True)


def lines(found: dict[str, Any], zone: Any) -> list[str]:
    """The history as text: one line per entry, then (with as-of) the state as it stood."""
    out = [f"{found['ticket']}" + (f" as of {when(found['as_of'], zone)}" if found.get("as_of") else "")]
    width = max((len(e["service"]) for e in found["entries"]), default=0)
    kinds = max((len(e["type"]) for e in found["entries"]), default=0)
    for e in found["entries"]:
        out.append(f"{when(e['at'], zone)}  {e['service']:<{width}}  {e['type']:<{kinds}}  {e['summary']}")
    state = found.get("state") or {}
    ticket = (state.get("intake") or {}).get("ticket")
    if found.get("as_of"):
        out.append("")
        if ticket is None:
            out.append("then: not opened yet")
        else:
            out.append(f"then: {ticket['status']}, Priority {ticket['priority']}"
                       + (", waiting on the customer" if ticket.get("waiting_on_customer") else "")
                       + f", {len(ticket.get('conversation', []))} messages")
        clocks = (state.get("sla_timer") or {}).get("clocks") or {}
        for name, clock in (clocks.get("clocks") or {}).items():
            due = when(clock["due_at"], zone) if clock.get("due_at") else "no due instant"
            out.append(f"  {name}: {clock['status']}, v{clock['clock_version']}, due {due}")
    return out


def when(text: str, zone: Any) -> str:
    """`Sat 2026-11-28 02:00:00 PST | 2026-11-28T10:00:00Z`"""
    at = parse_instant(text)
    utc = at.astimezone(timezone.utc).replace(microsecond=0)
    return (f"{at.astimezone(zone).strftime('%a %Y-%m-%d %H:%M:%S %Z')} | "
            f"{utc.strftime('%Y-%m-%dT%H:%M:%SZ')}")
