"""`hotline notifications ...`: what was sent to whom, and every delivery attempt.

`hotline notifications list --ticket T-000042 [--json]`: every notification of the ticket;
`hotline notifications failed [--limit N] [--json]`: those given up, and those retrying after a
failed attempt. Each line is a notification (kind, channel, recipient, state), each indented
line one attempt (when, and the server's reply or the error; when the next attempt is due).
Instants are shown in the support calendar's zone. Mounted into `hotline` through the
`hotline.cli` entry point; the notifier is found as `cli_client` says.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

from hotline_notifier.cli_client import AsJson, Url, call
from hotline_notifier.templates import local

app = typer.Typer(no_args_is_help=True, help="Notifications: each one and each delivery attempt.")


def _when(value: str | None) -> str:
    return local(datetime.fromisoformat(value), "%Y-%m-%d %H:%M:%S %Z") if value else "-"


def _print(notifications: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(notifications, indent=2))
        return
    if not notifications:
        typer.echo("no notifications")
    for n in notifications:
        state = n["state"]
        if state == "pending":
            state += " (sending now)" if n["in_flight"] else f" (next attempt {_when(n['next_attempt_at'])})"
        typer.echo(f"{n['ticket_number'] or '-'}  {n['kind']}  {n['channel']} {n['recipient']}  {state}"
                   f"  [{n['notification_id']}]")
        typer.echo(f"  requested {_when(n['requested_at'])}  {n['subject']}")
        for a in n["attempts"]:
            result = a["reply"] if a["outcome"] == "sent" else a["error"]
            after = ""
            if a["outcome"] == "failed":
                after = (f"  → retry {_when(a['next_attempt_at'])}" if a["will_retry"] else
                         "  → given up (refused for good)" if a["permanent"] else "  → given up")
            typer.echo(f"  #{a['attempt']}  {_when(a['at'])}  {a['outcome']}  {result}{after}")


@app.command("list")
def list_notifications(
        ticket: Annotated[str, typer.Option("--ticket", help="the ticket number, e.g. T-000042")],
        url: Url = None, as_json: AsJson = False) -> None:
    """Every notification of a ticket, with each delivery attempt."""
    _print(call("GET", url, "/notifications", params={"ticket": ticket}), as_json)


@app.command()
def failed(limit: Annotated[int, typer.Option("--limit", min=1, max=1000)] = 100,
           url: Url = None, as_json: AsJson = False) -> None:
    """Notifications given up, or retrying after a failed attempt (most recent first)."""
    _print(call("GET", url, "/notifications/failed", params={"limit": limit}), as_json)
