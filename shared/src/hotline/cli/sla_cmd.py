"""`hotline sla`: the deadlines and warnings the SLA policy sets for a ticket.

`hotline sla deadlines --priority 2 --opened-at 2026-03-06T17:00:00-08:00 [--resolved-at ...]
[--json]` prints each clock's start, due instant and warning instants (in the calendar's zone)
with the policy and calendar versions used.

`hotline sla show T-000042 [--url ...] [--json]` asks the running sla-timer (`--url`, else
HOTLINE_SLA_TIMER_URL, exported or from `hotline run`'s stack file, else http://127.0.0.1:8082)
for each clock's timeline, rebuilt from its event log: started, paused, resumed, due (per clock
version), warnings, breach or met, retracted, reopened.

`hotline sla policies [--json]` lists every policy and calendar version sla-timer has run
with, and when each was first seen.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Annotated

import httpx
import typer

from hotline.calendar import default_calendar, format_duration
from hotline.cli import stack
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


DEFAULT_SLA_TIMER_URL = "http://127.0.0.1:8082"
UrlOption = Annotated[str | None, typer.Option(
    "--url", help="sla-timer's HTTP address [env HOTLINE_SLA_TIMER_URL; default "
    f"{DEFAULT_SLA_TIMER_URL}]")]


def _get(url: str | None, path: str) -> object:
    """GET from sla-timer; one clear line and exit 2 when it cannot be reached."""
    base = url or os.environ.get("HOTLINE_SLA_TIMER_URL") or DEFAULT_SLA_TIMER_URL
    try:
        response = httpx.get(f"{base.rstrip('/')}{path}", timeout=30, headers=stack.auth_headers())
    except httpx.TransportError as exc:
        stack.unreachable("sla-timer", base, "HOTLINE_SLA_TIMER_URL", exc)
    if response.status_code != 200:
        is_json = response.headers.get("content-type", "").startswith("application/json")
        stack.refused("sla-timer", response.status_code, response.json() if is_json else response.text)
    return response.json()


@app.command()
def show(
    number: Annotated[str, typer.Argument(help="Ticket number, e.g. T-000042.")],
    url: UrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Each SLA clock's timeline of a ticket, as recorded by sla-timer."""
    payload = _get(url, f"/tickets/{number}/sla")
    emit(payload, as_json, _timeline_text(payload))


@app.command()
def policies(
    url: UrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")] = False,
) -> None:
    """Every SLA policy and support calendar version sla-timer has run with, and when each was
    first seen. Tickets are evaluated under the versions they were opened with."""
    rows = _get(url, "/sla/policies")
    emit(rows, as_json, _policies_text(rows))


def _policies_text(rows: list[dict]) -> str:
    calendar = default_calendar()
    lines = []
    for row in rows:
        seen = dt.datetime.fromisoformat(row["first_seen_at"].replace("Z", "+00:00"))
        mark = "*" if row["in_force"] else " "
        lines.append(f"{mark} {row['kind']:<10}  {row['version']:<36}  first seen "
                     f"{seen.astimezone(calendar.zone):%Y-%m-%d %H:%M %Z} by {row['service']}")
    lines.append("(* in force now)")
    return "\n".join(lines)


def _timeline_text(payload: dict) -> str:
    calendar = default_calendar()

    def local(text: str | None) -> str:
        if text is None:
            return "-"
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(
            calendar.zone).strftime("%a %Y-%m-%d %H:%M:%S %Z")

    lines = [f"{payload['ticket_number']}  P{payload['priority']}  policy {payload['policy_version']}"
             f"  calendar {payload['calendar_version']}"]
    for name, clock in payload["clocks"].items():
        lines.append(f"  {name}: {clock['status']} (clock version {clock['clock_version']})")
        for row in clock["timeline"]:
            event, at = row["event"], local(row["at"])
            if event == "due":
                warnings = ", ".join(f"{w['threshold']:g}% {local(w['at'])}" for w in row["warnings"])
                text = (f"due {local(row['due_at'])} (v{row['clock_version']}, after {row['cause']})"
                        + (f"; warnings {warnings}" if warnings else ""))
            elif event in ("warning", "breached", "met"):
                label = f"{row['threshold']:g}% warning" if event == "warning" else event
                text = (f"{label} (v{row['clock_version']}, due {local(row['due_at'])}, "
                        f"lateness {row['lateness_seconds']:+.1f}s, P{row['priority']})")
            elif event == "retracted":
                label = "breach" if row["retracted"] == "breached" else row["retracted"]
                if row["retracted"] == "warning":
                    label = f"{row['threshold']:g}% warning"
                text = f"retracted the {label} due {local(row['due_at'])}: {row['reason']} ({row['detail']})"
            elif event == "reopened":
                text = f"reopened: the met of {local(row['stopped_at'])} no longer stands (run {row['run']})"
            else:
                text = event
            lines.append(f"    {at}  {text}")
    return "\n".join(lines)
