"""sla-timer's part of a ticket's history, from its own event store: each `TicketClocks` event
(the opening and every change, with each clock whose due instants moved, its version and its
due instant; every deadline fired, retracted or reopened) and the ticket's `ServiceOutage`, if
any. With `as_of`, the clocks as they stood then: rebuilt from the events recorded by then,
each clock's status evaluated at that instant by the policy the ticket was opened under."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter

from hotline import history
from hotline.contracts import ticket_id_for
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.availability.http import outage_view
from hotline_sla_timer.domain.changes import sla_events
from hotline_sla_timer.domain.clocks import TicketClocks
from hotline_sla_timer.domain.outages import ServiceOutage, outage_id_for
from hotline_sla_timer.domain.targets import BREACH, ClockTargets

SERVICE = "sla-timer"


def router(app: SlaTimerApplication) -> APIRouter:
    """`GET /tickets/{number}/events`: this part, for intake's `GET /tickets/{number}/history`."""
    return history.events_router(SERVICE, lambda number, as_of: part(app, number, as_of))


def part(app: SlaTimerApplication, number: str, as_of: datetime | None = None) -> dict[str, Any]:
    """{"entries": [...], "state": {...} | None}; no entries for a ticket it has not seen."""
    ticket_id = ticket_id_for(number)
    clock_events = history.standing(list(app.events.get(ticket_id)), as_of)
    outage_events = history.standing(list(app.events.get(outage_id_for(ticket_id))), as_of)
    entries = clock_entries(clock_events) + [outage_entry(e) for e in outage_events]
    state = None
    if as_of is not None:
        clocks: TicketClocks | None = history.rebuild(clock_events)
        outage: ServiceOutage | None = history.rebuild(outage_events)
        state = {"clocks": clocks_state(app, clocks, as_of) if clocks else None,
                 "outage": outage_view(outage) if outage else None}
    return {"entries": entries, "state": state}


def clock_entries(events: list[Any]) -> list[dict[str, Any]]:
    versions: dict[str, int] = {}
    entries = []
    for event in events:
        name = type(event).__name__
        if name in ("Opened", "Changed"):
            moved = []
            for clock, data in event.targets.items():
                targets = ClockTargets.from_dict(data)
                if targets.version != versions.get(clock, 0):
                    moved.append(f"{clock} v{targets.version} " + (
                        f"due {history.iso(targets.due_at)}" if targets.due_at else "no due instant"))
                versions[clock] = targets.version
            head = (f"clocks opened at P{event.priority} (policy {event.policy_version})"
                    if name == "Opened" else f"{event.kind}" + (
                        f" → P{event.priority}" if event.priority is not None else ""))
            summary = head + (": " + ", ".join(moved) if moved else ": no clock moved")
        else:
            summary = _deadline(name, event)
        # A met clock happened when it stopped; it was recorded when fired.
        at = event.stopped_at if name == "DeadlineMet" else None
        entries.append(history.entry(SERVICE, event, summary, at=at, recorded_at=history.recorded(event),
                                     kind=f"TicketClocks.{name}"))
    return entries


def _deadline(name: str, e: Any) -> str:
    run = f"run {getattr(e, 'run', 1)}"
    if name == "DeadlineApproaching":
        return (f"{e.clock} {e.threshold:g}% warning ({run}, clock v{e.clock_version}), "
                f"due {history.iso(e.due_at)}")
    if name == "DeadlineBreached":
        late = (e.fired_at - e.due_at).total_seconds()
        return f"{e.clock} breached ({run}, clock v{e.clock_version}), due {history.iso(e.due_at)}, fired {late:+.0f} s"
    if name == "DeadlineMet":
        return (f"{e.clock} met ({run}, clock v{e.clock_version}): stopped "
                f"{history.iso(e.stopped_at)}, due {history.iso(e.due_at)}")
    if name == "DeadlineRetracted":
        return f"{e.clock} {e.retracted_kind} (version {e.retracted_version}) retracted: {e.reason}"
    if name == "DeadlineReopened":
        return f"{e.clock} runs again ({run}): the met of version {e.met_version} no longer stands"
    return name


def outage_entry(event: Any) -> dict[str, Any]:
    name = type(event).__name__
    what = "recorded" if name == "Recorded" else f"corrected ({event.correction})"
    ends = history.iso(event.ends_at) if event.ends_at else "open"
    summary = (f"outage {what}: {event.service_class}, {event.cause}, "
               f"{history.iso(event.starts_at)} – {ends}")
    return history.entry(SERVICE, event, summary, kind=f"ServiceOutage.{name}")


def clocks_state(app: SlaTimerApplication, clocks: TicketClocks, as_of: datetime) -> dict[str, Any]:
    """Each clock as it stood at `as_of`: its status, version, due and warning instants."""
    policy = app.policy_for(clocks)
    result = policy.evaluate(sla_events(clocks.changes), now=max(as_of, clocks.changes[-1].at))
    status = {state.clock: state.status.value for state in result.clocks}
    return history.plain({
        "priority": clocks.priority, "policy_version": clocks.policy_version,
        "calendar_version": clocks.calendar_version,
        "clocks": {clock: {"status": status.get(clock), "clock_version": t.version,
                           "running": t.running, "due_at": t.due_at,
                           "warnings": [{"threshold": th, "at": at} for th, at in t.marks if th != BREACH]}
                   for clock, t in clocks.targets.items()},
        "standing": sorted(clocks.standing.values(), key=lambda p: p.version),
        "met": clocks.met,
    })
