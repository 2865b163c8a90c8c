"""Which deadline events a ticket's clocks owe, which no longer stand, and which wait as timers.

Pure: given the `TicketClocks` aggregate, the `SlaPolicy` in force for it and the service's
"now", `apply_changes` records changes and `settle` brings what the aggregate has published
in line with `hotline.sla.outcomes` over the whole history as now known:

- A published warning or breach that the history no longer reaches at that due instant (the
  clock had stopped, paused or changed priority before it, and sla-timer learnt so late) is
  retracted (`DeadlineRetracted`, naming it and why).
- A published met whose clock runs again is un-stood by `DeadlineReopened` when the ticket was
  reopened, and retracted otherwise.
- A threshold reached but not standing fires now, late, with its own due instant; a clock
  that stopped in time gets its `DeadlineMet`.
- Marks still ahead become `PendingTimer`s, fired later by the firing loop. Only thresholds
  not reached in the clock's run are armed: a version change re-arms nothing that fired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from hotline.contracts import TicketOpened
from hotline.sla import SlaPolicy
from hotline.sla.outcomes import BREACH, Outcomes, Reached, outcomes
from hotline_sla_timer.domain.changes import Change, sla_events
from hotline_sla_timer.domain.clocks import Published, TicketClocks, targets_dict
from hotline_sla_timer.domain.targets import next_targets

REASONS = {"first-response": "clock-stopped", "workaround-provided": "clock-stopped",
           "resolved": "clock-stopped", "rfo-delivered": "clock-stopped",
           "waiting-on-customer": "clock-paused", "priority-changed": "priority-changed"}
LABELS = {"DeadlineApproaching": "warning", "DeadlineBreached": "breach", "DeadlineMet": "met"}


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
    run: int = 1


def open_clocks(data: TicketOpened, policy: SlaPolicy, now: datetime) -> tuple[TicketClocks, list[PendingTimer]]:
    opened = Change("opened", data.received_at, data.priority, data.received_at)
    found = outcomes(policy, sla_events([opened]), now)
    clocks = TicketClocks(
        ticket_id=data.ticket_id, ticket_number=data.ticket_number, priority=data.priority,
        received_at=data.received_at, policy_version=policy.version,
        calendar_version=policy.calendar.version,
        targets=targets_dict(next_targets({}, found.last)), customer=data.customer,
    )
    return clocks, settle(clocks, found, now, [])


def apply_changes(clocks: TicketClocks, changes: Sequence[Change], policy: SlaPolicy,
                  now: datetime) -> list[PendingTimer]:
    """Record `changes` (each with the targets after it), then settle once."""
    history = list(clocks.changes)
    for change in changes:
        history.append(change)
        targets = next_targets(clocks.targets, policy.evaluate(sla_events(history)))
        agreed = {"target": change.target} if change.target is not None else {}
        clocks.record_change(change.kind, change.at, change.priority, targets_dict(targets),
                             change.recorded_at, **agreed)
    return settle(clocks, outcomes(policy, sla_events(history), now), now, list(changes))


def settle(clocks: TicketClocks, found: Outcomes, now: datetime, causes: list[Change]) -> list[PendingTimer]:
    """Retract what no longer stands, publish what is owed; return the timers still ahead."""
    for key, published in list(clocks.standing.items()):
        reached = found.reached.get(key)
        if reached is None or reached.due_at != published.due_at:
            _retract(clocks, published, _cause(causes, published.due_at), now)
    for clock, published in list(clocks.met.items()):
        met = found.met.get(clock)
        if met is not None and (met.run, met.stopped_at) == (published.run, published.stopped_at):
            continue
        reopen = _reopen_after(clocks, published)
        if reopen is not None:
            _reopened(clocks, published, reopen, found, now)
        else:
            _retract(clocks, published, _cause(causes, published.stopped_at), now)
    for reached in sorted(found.reached.values(), key=lambda r: (r.reached_at, r.due_at, r.threshold)):
        if reached.key not in clocks.standing:
            _fire(clocks, reached, now)
    for clock, met in found.met.items():
        if clock not in clocks.met:
            clocks.fire(TicketClocks.DeadlineMet, stopped_at=met.stopped_at, threshold=BREACH,
                        due_at=met.due_at, clock_version=clocks.targets[clock].version,
                        **_about(clocks, clock, met.run, met.priority, now))
    return [_timer(clocks, p.clock, p.run, p.threshold, p.due_at, p.priority) for p in found.pending]


def pending_timers(clocks: TicketClocks, policy: SlaPolicy, now: datetime) -> list[PendingTimer]:
    """The due-index rows of a ticket from its recorded history alone (for rebuilding): the
    marks ahead, and any threshold reached but not published (due at once)."""
    found = outcomes(policy, sla_events(clocks.changes), now)
    owed = [_timer(clocks, r.clock, r.run, r.threshold, r.due_at, r.priority)
            for key, r in found.reached.items() if key not in clocks.standing]
    # A mark already published is never armed again, even when `now` lies before its due
    # instant (only the simulated clock moves back).
    return owed + [_timer(clocks, p.clock, p.run, p.threshold, p.due_at, p.priority)
                   for p in found.pending
                   if (p.clock, p.run, float(p.threshold)) not in clocks.standing]


# -- corrections -------------------------------------------------------------------------------
def _cause(causes: list[Change], before: datetime) -> Change | None:
    """The change learnt now that undoes an event due at `before`: the earliest one at or
    before that instant."""
    candidates = [c for c in causes if c.at <= before]
    return min(candidates, key=lambda c: c.at) if candidates else (causes[0] if causes else None)


def _retract(clocks: TicketClocks, published: Published, cause: Change | None, now: datetime) -> None:
    label = LABELS[published.kind]
    reason = REASONS.get(cause.kind, "recomputed") if cause else "recomputed"
    if cause is None:
        detail = f"the {published.clock} {label} due {published.due_at.isoformat()} was recomputed"
        changed_at = now
    else:
        recorded = f", recorded {cause.recorded_at.isoformat()}" if cause.recorded_at else ""
        detail = (f"{cause.kind} at {cause.at.isoformat()}{recorded}, before the {published.clock} "
                  f"{label} due {published.due_at.isoformat()}")
        changed_at = cause.at
    clocks.fire(TicketClocks.DeadlineRetracted, threshold=published.threshold,
                retracted_version=published.version, retracted_kind=published.kind,
                due_at=published.due_at, reason=reason, detail=detail, changed_at=changed_at,
                **_about(clocks, published.clock, published.run, clocks.priority, now))


def _reopen_after(clocks: TicketClocks, met: Published) -> Change | None:
    assert met.stopped_at is not None
    return next((c for c in clocks.changes if c.kind == "reopened" and c.at >= met.stopped_at), None)


def _reopened(clocks: TicketClocks, met: Published, reopen: Change, found: Outcomes,
              now: datetime) -> None:
    state = next(s for s in found.last.clocks if s.clock == met.clock)
    assert met.stopped_at is not None
    clocks.fire(TicketClocks.DeadlineReopened, met_version=met.version, stopped_at=met.stopped_at,
                reopened_at=reopen.at, **_about(clocks, met.clock, state.run, clocks.priority, now))


# -- publishing ---------------------------------------------------------------------------------
def _fire(clocks: TicketClocks, reached: Reached, now: datetime) -> None:
    event_class = TicketClocks.DeadlineBreached if reached.threshold == BREACH else TicketClocks.DeadlineApproaching
    clocks.fire(event_class, threshold=reached.threshold, due_at=reached.due_at,
                clock_version=clocks.targets[reached.clock].version,
                **_about(clocks, reached.clock, reached.run, reached.priority, now))


def _timer(clocks: TicketClocks, clock: str, run: int, threshold: float, due_at: datetime,
           priority: int) -> PendingTimer:
    return PendingTimer(
        ticket_id=clocks.id, ticket_number=clocks.ticket_number, clock=clock,
        kind="DeadlineBreached" if threshold == BREACH else "DeadlineApproaching",
        threshold=threshold, clock_version=clocks.targets[clock].version, due_at=due_at,
        priority=int(priority), policy_version=clocks.policy_version,
        calendar_version=clocks.calendar_version, run=run,
    )


def _about(clocks: TicketClocks, clock: str, run: int, priority: int, now: datetime) -> dict:
    """The fields every deadline event and correction carries (`TicketClocks.ClockEvent`)."""
    return {"clock": clock, "run": run, "fired_at": now, "priority": int(priority),
            "ticket_number": clocks.ticket_number, "policy_version": clocks.policy_version,
            "calendar_version": clocks.calendar_version}
