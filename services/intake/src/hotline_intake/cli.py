"""`hotline ticket ...`: open (a telephone call, too), show and move tickets through intake's HTTP API.

Mounted into the `hotline` command through the `hotline.cli` entry point. The intake URL comes
from --url, else HOTLINE_INTAKE_URL (exported, or from the stack file `hotline run` writes),
else the port in HOTLINE_INTAKE_HTTP_PORT, else http://127.0.0.1:8080.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from hotline.calendar import SupportCalendar
from hotline.cli.service_api import AsJson, ServiceApi
from hotline_intake.application import LIFECYCLE

app = typer.Typer(no_args_is_help=True, help="Tickets: open (typed in, or a telephone call), show, lifecycle changes and replies (tickets also open by email).")

API = ServiceApi("intake", 8080)
Url = API.url_option
At = Annotated[str | None, typer.Option("--at", help="when it happened (ISO-8601 with offset); default now")]
By = Annotated[str | None, typer.Option("--by", help="who recorded it")]
Note = Annotated[str | None, typer.Option("--note", help="free text")]


def shown_at(value: str) -> str:
    """An ISO instant from the API in the support calendar's zone, e.g. `Sat 2026-12-05 20:00 PST`."""
    return datetime.fromisoformat(value).astimezone(SupportCalendar.from_settings().zone).strftime(
        "%a %Y-%m-%d %H:%M %Z")


def _call(method: str, url: str | None, path: str, body: dict[str, Any] | None = None,
          headers: dict[str, str] | None = None) -> Any:
    return API.call(method, url, path, body, headers=headers)


def _print(ticket: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(ticket, indent=2))
        return
    typer.echo(f"{ticket['number']}  Priority {ticket['priority']}  {ticket['status']}"
               f"{'  (waiting on customer)' if ticket.get('waiting_on_customer') else ''}")
    typer.echo(f"  {ticket['customer']} – {ticket['location']} – {ticket['issue']}")
    if ticket.get("caller"):
        callback = f", call back on {ticket['callback']}" if ticket.get("callback") else ""
        typer.echo(f"  by phone from {ticket['caller']}{callback}")
    if ticket.get("follow_up_of"):
        typer.echo(f"  follow-up of {ticket['follow_up_of']}")
    for label, key in (("received", "received_at"), ("first response", "responded_at"),
                       ("work-around", "workaround_at"), ("resolved", "resolved_at"),
                       ("RFO delivered", "rfo_delivered_at"), ("closed", "closed_at"),
                       ("agreed date", "agreed_target")):
        if ticket.get(key):
            typer.echo(f"  {label:<15} {ticket[key]}")
    conversation = ticket.get("conversation") or []
    if conversation:
        typer.echo(f"  conversation ({len(conversation)})")
    for comment in conversation:
        typer.echo(f"  --- {comment['at']}  {comment['author']} ({comment['author_kind']}, "
                   f"{comment['visibility']}, {comment['channel']})")
        for line in comment["text"].splitlines() or [""]:
            typer.echo(f"      {line}")
        for attachment in comment.get("attachments") or []:
            typer.echo(f"      [attachment] {attachment['filename']} ({attachment['size']} bytes)")


@app.command("open")
def open_ticket(
    customer: Annotated[str, typer.Option("--customer", help="the customer, as registered")],
    location: Annotated[str, typer.Option("--location", help="a registered location")],
    issue: Annotated[str, typer.Option("--issue", help="one line: what is wrong")],
    priority: Annotated[int | None, typer.Option("--priority", min=1, max=4,
                                                 help="1–4; default 3")] = None,
    channel: Annotated[str, typer.Option("--channel", help="phone: record a customer's "
                                         "telephone call; http: a ticket typed in")] = "http",
    contact: Annotated[str | None, typer.Option("--contact", help="a registered contact's "
                       "address (the confirmation goes there); for phone, default the "
                       "customer's first")] = None,
    description: Annotated[str, typer.Option("--description", help="details")] = "",
    caller: Annotated[str | None, typer.Option("--caller", help="phone: who called")] = None,
    callback: Annotated[str | None, typer.Option("--callback", help="phone: the number to "
                        "call back")] = None,
    called_at: Annotated[str | None, typer.Option("--called-at", help="phone: when the call "
                         "came in (ISO-8601 with offset); the response clock starts then")] = None,
    idempotency_key: Annotated[str | None, typer.Option(
        "--idempotency-key", help="sent as the Idempotency-Key header; default a fresh random "
        "one. Give the same key to run the command again safely after a lost answer: it shows "
        "the ticket that key opened instead of opening another.")] = None,
    url: Url = None, as_json: AsJson = False,
) -> None:
    """Open a ticket; with --channel phone, record a telephone call as one (--caller and
    --called-at required, at most HOTLINE_INTAKE_MAX_BACKDATE ago). Every request carries an
    Idempotency-Key (the CLI does not retry by itself)."""
    if channel not in ("http", "phone"):
        typer.echo(f"error: --channel is phone or http, not {channel!r}", err=True)
        raise typer.Exit(2)
    body: dict[str, Any] = {
        "channel": channel, "customer": customer, "location": location, "issue": issue,
        "description": description, "priority": priority, "contact": contact,
        "caller": caller, "callback": callback, "called_at": called_at}
    key = idempotency_key or str(uuid.uuid4())
    _print(_call("POST", url, "/tickets", {k: v for k, v in body.items() if v is not None},
                 headers={"Idempotency-Key": key}), as_json)


@app.command()
def show(number: str, url: Url = None, as_json: AsJson = False) -> None:
    """Show one ticket."""
    _print(_call("GET", url, f"/tickets/{number}"), as_json)


def _lifecycle(command: str, doc: str) -> None:
    def change(number: str, at: At = None, by: By = None, note: Note = None,
               url: Url = None, as_json: AsJson = False) -> None:
        body = {k: v for k, v in {"at": at, "by": by, "note": note}.items() if v is not None}
        _print(_call("POST", url, f"/tickets/{number}/{command}", body), as_json)

    change.__doc__ = doc
    app.command(command)(change)


for _command, _lifecycle_command in LIFECYCLE.items():
    if _command not in ("priority", "rfo", "agree"):  # they take arguments of their own, below
        _lifecycle(_command, _lifecycle_command.summary)


@app.command()
def priority(number: str, new_priority: Annotated[int, typer.Argument(min=1, max=4)],
             at: At = None, by: By = None, note: Note = None,
             url: Url = None, as_json: AsJson = False) -> None:
    """Change the priority (1–4); SLA targets are recomputed from the original start."""
    body = {k: v for k, v in {"priority": new_priority, "at": at, "by": by, "note": note}.items()
            if v is not None}
    _print(_call("POST", url, f"/tickets/{number}/priority", body), as_json)


@app.command()
def rfo(number: str,
        file: Annotated[Path | None, typer.Option("--file", help="The Reason for Outage (Markdown or "
                        "text): emailed to the customer's contact; the RFO clock stops when it is sent.")] = None,
        at: At = None, by: By = None, note: Note = None, url: Url = None, as_json: AsJson = False) -> None:
    """Deliver the Reason for Outage (with --file), or record one delivered otherwise."""
    body: dict[str, Any] = {k: v for k, v in {"at": at, "by": by, "note": note}.items() if v is not None}
    if file is not None:
        try:
            body["text"] = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            typer.echo(f"error: cannot read {file}: {exc}", err=True)
            raise typer.Exit(2) from None
    _print(_call("POST", url, f"/tickets/{number}/rfo", body), as_json)


@app.command()
def agree(number: str,
          target: Annotated[str, typer.Option("--target", help="the agreed date (ISO-8601 with offset)")],
          quote: Annotated[str | None, typer.Option("--quote", help="the id of a billing quote "
                           "the agreement covers")] = None,
          at: At = None, by: By = None, note: Note = None, url: Url = None, as_json: AsJson = False) -> None:
    """Record the date agreed for a Priority 4 request: its deadline, with warnings and a breach."""
    body = {k: v for k, v in {"target": target, "quote_id": quote, "at": at, "by": by,
                              "note": note}.items() if v is not None}
    _print(_call("POST", url, f"/tickets/{number}/agree", body), as_json)


@app.command("schedule-off-hours")
def schedule_off_hours(
        number: str,
        start: Annotated[str, typer.Option("--start", help="ISO-8601 with offset")],
        end: Annotated[str, typer.Option("--end", help="ISO-8601 with offset")],
        requested_by: Annotated[str | None, typer.Option("--requested-by", help="who asks "
                                "(default: your token's name)")] = None,
        note: Note = None, url: Url = None, as_json: AsJson = False) -> None:
    """Ask the NOC for an off-hours slot on a Priority 2–4 ticket; the SLA clocks do not change."""
    from hotline_intake.offhours_cli import show

    body = {k: v for k, v in {"start": start, "end": end, "requested_by": requested_by,
                              "note": note}.items() if v is not None}
    view = _call("POST", url, f"/tickets/{number}/off-hours", body)
    if as_json:
        typer.echo(json.dumps(view, indent=2))
    else:
        show(view)


@app.command()
def reply(number: str,
          message: Annotated[str | None, typer.Option("--message", "-m", help="the reply's text")] = None,
          file: Annotated[Path | None, typer.Option("--file", help="read the text from this file "
                          "(UTF-8)")] = None,
          internal: Annotated[bool, typer.Option("--internal", help="an internal note: agents "
                              "only, never emailed to the customer")] = False,
          by: By = None, url: Url = None, as_json: AsJson = False) -> None:
    """Reply to the customer (or, with --internal, add a note for agents); give --message or --file."""
    if (message is None) == (file is None):
        typer.echo("error: give exactly one of --message TEXT or --file PATH", err=True)
        raise typer.Exit(2)
    if file is not None:
        try:
            message = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            typer.echo(f"error: cannot read {file}: {exc}", err=True)
            raise typer.Exit(2) from None
    body: dict[str, Any] = {"message": message, "internal": internal}
    if by is not None:
        body["by"] = by
    _print(_call("POST", url, f"/tickets/{number}/replies", body), as_json)
