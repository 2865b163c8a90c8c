"""`hotline offhours ...`: the NOC's side of scheduled off-hours work, through intake's HTTP API.

`offhours list T-…` shows a ticket's requests; `offhours accept OH-…-N [--reason …]` and
`offhours decline OH-…-N --reason …` decide one (the customer is emailed either way). Requests
are made with `hotline ticket schedule-off-hours`, or by the customer in an email reply with a
line `Off-hours: <start> to <end>`. Times are shown in the support calendar's zone.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from hotline_intake.cli import AsJson, Url, _call, shown_at

offhours = typer.Typer(no_args_is_help=True, help="Off-hours work for Priority 2–4 tickets, "
                       "scheduled in advance with the NOC: list, accept, decline.")
RequestId = Annotated[str, typer.Argument(help="the request's id, e.g. OH-000042-1")]


@offhours.command("list")
def list_requests(number: Annotated[str, typer.Argument(help="ticket number, e.g. T-000042")],
                  url: Url = None, as_json: AsJson = False) -> None:
    """A ticket's off-hours requests with their decisions and logged work."""
    views = _call("GET", url, f"/tickets/{number}/off-hours")
    if as_json:
        typer.echo(json.dumps(views, indent=2))
        return
    if not views:
        typer.echo(f"{number} has no off-hours requests")
    for view in views:
        show(view)


@offhours.command("accept")
def accept(request: RequestId,
           reason: Annotated[str | None, typer.Option("--reason", help="a word for the customer")] = None,
           url: Url = None, as_json: AsJson = False) -> None:
    """Accept a request: the work is scheduled and the customer is told."""
    _decide("accept", request, reason, url, as_json)


@offhours.command("decline")
def decline(request: RequestId,
            reason: Annotated[str, typer.Option("--reason", help="why (sent to the customer)")],
            url: Url = None, as_json: AsJson = False) -> None:
    """Decline a request with its reason; the customer is told."""
    _decide("decline", request, reason, url, as_json)


def _decide(verb: str, request: str, reason: str | None, url: str | None, as_json: bool) -> None:
    view = _call("POST", url, f"/off-hours/{request}/{verb}", {"reason": reason})
    if as_json:
        typer.echo(json.dumps(view, indent=2))
    else:
        show(view)


def show(view: dict[str, Any]) -> None:
    at = shown_at
    typer.echo(f"{view['request_id']}  {view['ticket']}  {at(view['start'])} – {at(view['end'])}  "
               f"{view['status']}  ({view['off_hours_minutes']} min off hours)")
    typer.echo(f"  requested by {view['requested_by']} ({view['channel']}) {at(view['requested_at'])}")
    if view.get("decided_at"):
        reason = f": {view['reason']}" if view.get("reason") else ""
        typer.echo(f"  {view['status']} by {view.get('decided_by') or '-'} {at(view['decided_at'])}{reason}")
    for entry in view.get("work_log") or []:
        typer.echo(f"  work {at(entry['start'])} – {at(entry['end'])}  {entry['engineer']}  "
                   f"{entry['minutes']} min  {entry['note']}")
