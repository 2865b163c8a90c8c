"""Which deadline events a ticket's clocks owe, and which wait in the due index.

Pure: given the `TicketClocks` aggregate, the `SlaPolicy` in force for it and the service's
"now", `apply_change` records a change, fires in place what a stopped clock owes, and returns
the `PendingTimer`s of running clocks. The rules:

- A mark (threshold, instant) of a clock at its current version is owed when the clock ran
  through it: the clock still runs, or it stopped at or after the instant. Marks after a stop,
  and marks of an older version (recomputed targets), are never owed: nothing stale fires.
- Owed marks of a running clock are timers (fired later by the firing loop, at once if overdue).
- When a clock stops, the owed marks not yet fired fire in the same transaction (late, with
  their lateness), and if it stopped at or before its due instant, `DeadlineMet`.
- At most one event per (clock, threshold, version): a breach and a met share threshold 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.contracts import TicketOpened
from hotline.sla import ClockState, SlaPolicy, TicketSla
from hotline_sla_timer.domain.changes import Change, sla_events
from hotline_sla_timer.domain.clocks import TicketClocks, targets_dict
from hotline_sla_timer.domain.targets import BREACH, ClockTargets, next_targets


@dataclass(frozen=True)
class PendingTimer:
    """One row of the due index: what to fire, when, and with which versions."""

    ticket_id: object
    ticket_number: str
    clock: str
    kind: str  # "DeadlineApproaching" | "DeadlineBreached"
    threshold: float
    clock_version: int
    due_at: datetime
    priority: int
    policy_version: str
    calendar_version: str


def evaluate(clocks: TicketClocks, policy: SlaPolicy) -> TicketSla:
    return policy.evaluate(sla_events(clocks.changes))


def open_clocks(data: TicketOpened, policy: SlaPolicy, now: datetime) -> tuple[TicketClocks, list[PendingTimer]]:
    opened = Change("opened", data.received_at, data.priority)
    targets = next_targets({}, policy.evaluate(sla_events([opened])))
    clocks = TicketClocks(
        ticket_id=data.ticket_id, ticket_number=data.ticket_number, priority=data.priority,
        received_at=data.received_at, policy_version=policy.version,
        calendar_version=policy.calendar.version, targets=targets_dict(targets),
    )
    return clocks, settle(clocks, evaluate(clocks, policy), now)


def apply_change(clocks: TicketClocks, change: Change, policy: SlaPolicy, now: datetime) -> list[PendingTimer]:
    result = policy.evaluate(sla_events([*clocks.changes, change]))
    targets = next_targets(clocks.targets, result)
    clocks.record_change(change.kind, change.at, change.priority, targets_dict(targets))
    return settle(clocks, result, now)


def settle(clocks: TicketClocks, result: TicketSla, now: datetime) -> list[PendingTimer]:
    """Fire what stopped clocks owe; return the timers of running clocks."""
    pending: list[PendingTimer] = []
    for state in result.clocks:
        targets = clocks.targets[state.clock]
        for threshold, at in unfired_owed(clocks, state, targets):
            timer = _timer(clocks, state, targets, threshold, at)
            if state.stopped_at is None:
                pending.append(timer)
            else:
                fire(clocks, timer, now)
        due = targets.due_at
        if (state.stopped_at is not None and due is not None and state.stopped_at <= due
                and not clocks.has_fired(state.clock, BREACH, targets.version)):
            clocks.fire(TicketClocks.DeadlineMet, stopped_at=state.stopped_at,
                        **_fields(_timer(clocks, state, targets, BREACH, due), now))
    return pending


def pending_timers(clocks: TicketClocks, policy: SlaPolicy) -> list[PendingTimer]:
    """The due-index rows of a ticket, from its recorded history alone (for rebuilding)."""
    result = evaluate(clocks, policy)
    return [_timer(clocks, state, clocks.targets[state.clock], threshold, at)
            for state in result.clocks if state.stopped_at is None
            for threshold, at in unfired_owed(clocks, state, clocks.targets[state.clock])]


def unfired_owed(clocks: TicketClocks, state: ClockState, targets: ClockTargets) -> list[tuple[float, datetime]]:
    stop = state.stopped_at
    return [(threshold, at) for threshold, at in targets.marks
            if (stop is None or at <= stop)
            and not clocks.has_fired(state.clock, threshold, targets.version)]


def fire(clocks: TicketClocks, timer: PendingTimer, now: datetime) -> None:
    event_class = TicketClocks.DeadlineBreached if timer.threshold == BREACH else TicketClocks.DeadlineApproaching
    clocks.fire(event_class, **_fields(timer, now))


def _timer(clocks: TicketClocks, state: ClockState, targets: ClockTargets, threshold: float, at: datetime) -> PendingTimer:
    return PendingTimer(
        ticket_id=clocks.id, ticket_number=clocks.ticket_number, clock=state.clock,
        kind="DeadlineBreached" if threshold == BREACH else "DeadlineApproaching",
        threshold=threshold, clock_version=targets.version, due_at=at, priority=int(state.priority),
        policy_version=clocks.policy_version, calendar_version=clocks.calendar_version,
    )


def _fields(timer: PendingTimer, now: datetime) -> dict:
    return {"clock": timer.clock, "threshold": timer.threshold, "clock_version": timer.clock_version,
            "due_at": timer.due_at, "fired_at": now, "priority": timer.priority,
            "ticket_number": timer.ticket_number, "policy_version": timer.policy_version,
            "calendar_version": timer.calendar_version}
