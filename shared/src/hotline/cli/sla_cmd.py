"""`hotline sla`: the deadlines and warnings the SLA policy sets for a ticket.

`hotline sla deadlines --priority 2 --opened-at 2026-03-06T17:00:00-08:00 [--resolved-at ...]
[--json]` prints each clock's start, due instant and warning instants (in the calendar's zone)
with the policy and calendar versions used.
"""

from __future__ import annotations

from typing import Annotated

import typer

from hotline.calendar import default_calendar, format_duration
from hotline.cli.calendar_cmd import emit, local_iso, parse_instant
from hotline.sla import ClockState, Priority, Resolved, TicketOpened, TicketSla, default_policy

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)


@app.callback()
def sla() -> None:
    """SLA policy: deadlines and warnings for a ticket."""


@app.command()
def deadlines(
    priority: Annotated[str, typer.Option("--priority", "-p", help="1..4 (or P1..P4).")],
    opened_at: Annotated[str, typer.Option("--opened-at", help="ISO-8601 instant with offset.")],
    resolved_at: Annotated[
        str | None, typer.Option("--resolved-at", help="Resolution instant: starts the RFO clock.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Response, resolution (and RFO) due instants and warnings for a ticket."""
    try:
        level = Priority.parse(priority)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--priority") from None
    opened = parse_instant(opened_at, "--opened-at")
    events = [TicketOpened(opened, level)]
    if resolved_at is not None:
        resolved = parse_instant(resolved_at, "--resolved-at")
        if resolved < opened:
            raise typer.BadParameter("must not be before --opened-at", param_hint="--resolved-at")
        events.append(Resolved(resolved))
    # Targets as set at opening: evaluate at the opening, or at the resolution for the RFO.
    result = default_policy().evaluate(events, now=events[-1].at)
    payload = _payload(result)
    emit(payload, as_json, _human(payload))


def _payload(result: TicketSla) -> dict:
    calendar = default_calendar()
    clocks = {}
    for state in result.clocks:
        clocks[state.clock] = _clock(state, calendar)
    return {
        "priority": int(result.priority),
        "policy_version": result.policy_version,
        "calendar_version": result.calendar_version,
        **clocks,
    }


def _clock(state: ClockState, calendar) -> dict:
    return {
        **({"status": state.status.value} if state.due_at is None else {}),
        "budget": None if state.budget is None else str(state.budget),
        "started_at": local_iso(state.started_at, calendar),
        "due": local_iso(state.due_at, calendar),
        "warnings": [
            {"threshold": w.threshold, "at": local_iso(w.at, calendar)} for w in state.warnings
        ],
        **({"used": format_duration(state.used)} if state.stopped_at else {}),
    }


def _human(payload: dict) -> str:
    lines = [f"P{payload['priority']}  policy {payload['policy_version']}  "
             f"calendar {payload['calendar_version']}"]
    for name in ("response", "resolution", "rfo"):
        clock = payload[name]
        if clock["due"] is None:
            lines.append(f"  {name:<10}  {clock['status']}")
            continue
        lines.append(f"  {name:<10}  due {clock['due']}  ({clock['budget']} from "
                     f"{clock['started_at']})")
        for warning in clock["warnings"]:
            lines.append(f"  {'':<10}  {warning['threshold']}% at {warning['at']}")
    return "\n".join(lines)
