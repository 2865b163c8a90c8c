"""Each SLA clock's timeline, rebuilt from a ticket's `TicketClocks` events.

For every clock: when it started, paused, resumed and stopped (from the policy over the
recorded changes, with the policy and calendar versions recorded at opening), each version of
its due and warning instants with the change that set it, every deadline event fired, and
every correction: an event retracted (with why) and a met clock reopened.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline.sla import SlaPolicy
from hotline_sla_timer.domain.clocks import TicketClocks
from hotline_sla_timer.domain.changes import sla_events
from hotline_sla_timer.domain.targets import BREACH, ClockTargets

FIRED_KINDS = {"DeadlineApproaching": "warning", "DeadlineBreached": "breached", "DeadlineMet": "met"}


def timeline(events: list[Any], clocks: TicketClocks, policy: SlaPolicy, now: datetime) -> dict[str, Any]:
    """The timeline, with each clock's status as of `now` (never before the last change)."""
    result = policy.evaluate(sla_events(clocks.changes), now=max(now, clocks.changes[-1].at))
    entries: dict[str, list[dict[str, Any]]] = {state.clock: [] for state in result.clocks}
    versions: dict[str, int] = {}
    for event in events:
        kind = type(event).__name__
        if kind in ("Opened", "Changed"):
            at = event.received_at if kind == "Opened" else event.at
            cause = "opened" if kind == "Opened" else event.kind
            for clock, data in event.targets.items():
                targets = ClockTargets.from_dict(data)
                if targets.version != versions.get(clock, 0) and targets.marks:
                    entries[clock].append(_due(at, cause, targets))
                versions[clock] = targets.version
        elif kind in FIRED_KINDS:
            entries[event.clock].append(_fired(kind, event))
        elif kind == "DeadlineRetracted":
            entries[event.clock].append({
                "at": event.fired_at, "event": "retracted", "retracted": FIRED_KINDS[event.retracted_kind],
                "threshold": event.threshold, "run": event.run, "due_at": event.due_at,
                "retracted_version": event.retracted_version, "reason": event.reason,
                "detail": event.detail})
        elif kind == "DeadlineReopened":
            entries[event.clock].append({
                "at": event.fired_at, "event": "reopened", "run": event.run,
                "stopped_at": event.stopped_at, "reopened_at": event.reopened_at,
                "met_version": event.met_version})
    for state in result.clocks:
        rows = entries[state.clock]
        if state.started_at is not None:
            rows.append({"at": state.started_at, "event": "started"})
        for pause in state.paused:
            rows.append({"at": pause.start, "event": "paused"})
            if pause.end is not None:
                rows.append({"at": pause.end, "event": "resumed"})
        if state.stopped_at is not None:
            rows.append({"at": state.stopped_at, "event": "stopped"})
        rows.sort(key=lambda r: (r["at"], _ORDER.get(r["event"], 5)))
    return {
        "ticket_id": str(clocks.id), "ticket_number": clocks.ticket_number, "as_of": result.evaluated_at,
        "priority": clocks.priority, "policy_version": clocks.policy_version,
        "calendar_version": clocks.calendar_version,
        "clocks": {state.clock: {"status": state.status.value,
                                 "clock_version": clocks.targets[state.clock].version,
                                 "timeline": entries[state.clock]} for state in result.clocks},
    }


_ORDER = {"started": 0, "due": 1, "resumed": 2, "paused": 3, "stopped": 4}


def _due(at: datetime, cause: str, targets: ClockTargets) -> dict[str, Any]:
    return {"at": at, "event": "due", "cause": cause, "clock_version": targets.version,
            "due_at": targets.due_at,
            "warnings": [{"threshold": t, "at": w} for t, w in targets.marks if t != BREACH]}


def _fired(kind: str, event: Any) -> dict[str, Any]:
    row = {"at": event.fired_at, "event": FIRED_KINDS[kind], "threshold": event.threshold,
           "clock_version": event.clock_version, "due_at": event.due_at,
           "lateness_seconds": (event.fired_at - event.due_at).total_seconds(),
           "run": getattr(event, "run", 1), "version": event.originator_version,
           "priority": event.priority, "policy_version": event.policy_version,
           "calendar_version": event.calendar_version}
    if kind == "DeadlineMet":
        row["stopped_at"] = event.stopped_at
    return row
