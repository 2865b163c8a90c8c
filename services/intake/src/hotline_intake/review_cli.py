"""`hotline review ...` and `hotline worklog ...`: outage reviews through intake's HTTP API.

`review open T-…` opens one by hand, `review record T-… --outcome … --reason …` records (or
supersedes) the outcome (reviewer role), `review show T-…` shows it with its work log and the
off-hours minutes of each entry; `worklog add T-… --start … --end … --by … --note …` logs work.
Times are shown in the support calendar's zone (Pacific by default).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from hotline_intake.cli import AsJson, Url, _call, shown_at

OUTCOMES = "provider-at-fault|customer-equipment|customer-configuration|third-party|carrier|undetermined"

review = typer.Typer(no_args_is_help=True, help="Outage reviews: open, record the outcome, show.")
worklog = typer.Typer(no_args_is_help=True, help="Engineers' work logged against a ticket's review.")
Number = Annotated[str, typer.Argument(help="ticket number, e.g. T-000042")]


@review.command("open")
def open_review(number: Number, note: Annotated[str | None, typer.Option("--note", help="why")] = None,
                url: Url = None, as_json: AsJson = False) -> None:
    """Open an outage review by hand (a P1 in Off Hours opens its own)."""
    _show(_call("POST", url, f"/tickets/{number}/review", {"note": note}), as_json)


@review.command("record")
def record(number: Number,
           outcome: Annotated[str, typer.Option("--outcome", help=OUTCOMES)],
           reason: Annotated[str, typer.Option("--reason", help="what the review found")],
           url: Url = None, as_json: AsJson = False) -> None:
    """Record the review's outcome after resolution (reviewer role); again supersedes it."""
    _show(_call("POST", url, f"/tickets/{number}/review/outcome",
                {"outcome": outcome, "reason": reason}), as_json)


@review.command("show")
def show(number: Number, url: Url = None, as_json: AsJson = False) -> None:
    """The review with its work log (off-hours minutes per entry) and outcomes."""
    _show(_call("GET", url, f"/tickets/{number}/review"), as_json)


@worklog.command("add")
def add(number: Number,
        start: Annotated[str, typer.Option("--start", help="ISO-8601 with offset")],
        end: Annotated[str, typer.Option("--end", help="ISO-8601 with offset")],
        by: Annotated[str, typer.Option("--by", help="the engineer's e-mail address")],
        note: Annotated[str, typer.Option("--note", help="what was done")],
        url: Url = None, as_json: AsJson = False) -> None:
    """Log work against the ticket's review; one engineer's entries may not overlap."""
    _show(_call("POST", url, f"/tickets/{number}/worklog",
                {"start": start, "end": end, "by": by, "note": note}), as_json)


def _show(view: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(view, indent=2))
        return
    at = shown_at

    typer.echo(f"Outage review of {view['ticket']} ({view['customer']}), opened {at(view['opened_at'])} "
               f"({view['because']})")
    typer.echo(f"  work log: {len(view['work_log'])} entries, {view['off_hours_minutes']} off-hours minutes")
    for entry in view["work_log"]:
        typer.echo(f"    {at(entry['start'])} – {at(entry['end'])}  {entry['engineer']}  "
                   f"{entry['minutes']} min, {entry['off_hours_minutes']} off-hours  {entry['note']}")
    outcome = view.get("outcome")
    if outcome is None:
        typer.echo("  outcome: not recorded yet")
        return
    typer.echo(f"  outcome (revision {outcome['revision']}): {outcome['outcome']}: {outcome['reason']}"
               f"  [{at(outcome['recorded_at'])}]")
    for earlier in reversed(view.get("superseded") or []):
        typer.echo(f"  superseded (revision {earlier['revision']}): {earlier['outcome']}: {earlier['reason']}")
