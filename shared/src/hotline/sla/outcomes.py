"""Which thresholds each clock reached, in a ticket's final history: the outcomes that stand.

`outcomes(policy, events, now)` is pure. It answers, for the history as it is known now (late
knowledge included), what a timer service should have published had it known everything in
time: each (clock, run, threshold) reached at most once, a `Met` for a clock that stopped
before its breach, and the marks still ahead (`pending`). A timer service compares that with
what it did publish, retracts what no longer stands and publishes what is missing.

How it decides, by segments between the instants at which the ticket changed:

- Between two changes the targets are those of the policy over the history up to the first of
  them. A threshold is reached in that segment at its mark, or at the segment's start when the
  mark lies before it (a priority change made it overdue), if that instant falls inside the
  segment and the clock has not stopped. A paused clock has no marks beyond its pause.
- The first segment that reaches a threshold decides its due instant; later changes never
  reach it again in the same run (a version change re-arms only what has not fired). A
  restarted clock (`reopen="restart"`) begins a new run with every threshold unreached.
- A clock that stopped without reaching its breach in its current run is met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotline.sla.budgets import ClockName
from hotline.sla.events import Priority, SlaEvent
from hotline.sla.result import ClockState, TicketSla

if TYPE_CHECKING:
    from hotline.sla.policy import SlaPolicy

BREACH = 100.0
"""The threshold of the due instant itself (breached or met)."""

Key = tuple[str, int, float]  # (clock, run, threshold)


@dataclass(frozen=True, slots=True)
class Reached:
    """A threshold the clock reached: due at `due_at`, known to be reached at `reached_at`."""

    clock: ClockName
    run: int
    threshold: float
    due_at: dt.datetime
    reached_at: dt.datetime
    priority: Priority

    @property
    def key(self) -> Key:
        return (self.clock, self.run, self.threshold)


@dataclass(frozen=True, slots=True)
class Met:
    """The clock's current run stopped at `stopped_at` without reaching its due instant."""

    clock: ClockName
    run: int
    stopped_at: dt.datetime
    due_at: dt.datetime
    priority: Priority


@dataclass(frozen=True, slots=True)
class Pending:
    """A mark of a running clock still ahead of `now`: a durable timer."""

    clock: ClockName
    run: int
    threshold: float
    due_at: dt.datetime
    priority: Priority


@dataclass(frozen=True)
class Outcomes:
    reached: dict[Key, Reached]
    met: dict[str, Met]  # by clock: the current run's, if it stopped in time
    pending: list[Pending]
    last: TicketSla  # the policy's answer at the last change (targets now in force)


def marks(state: ClockState) -> list[tuple[float, dt.datetime]]:
    """(threshold, instant) of a started clock: its warnings, then its due instant."""
    if state.started_at is None or state.budget is None:
        return []
    found = [(float(w.threshold), w.at) for w in state.warnings]
    if state.due_at is not None:
        found.append((BREACH, state.due_at))
    return found


def outcomes(policy: SlaPolicy, events: Iterable[SlaEvent], now: dt.datetime) -> Outcomes:
    ordered = sorted(events, key=lambda e: e.at)
    instants = sorted({e.at.astimezone(dt.timezone.utc) for e in ordered})
    if not instants:
        raise ValueError("a ticket's events must start with TicketOpened")
    now = max(now, instants[-1])  # an event never lies in the future: that is clock skew
    reached: dict[Key, Reached] = {}
    state: TicketSla | None = None
    for i, start in enumerate(instants):
        end = instants[i + 1] if i + 1 < len(instants) else None
        state = policy.evaluate([e for e in ordered if e.at <= start], now=start)
        for clock in state.clocks:
            _reach(clock, start, end, now, reached)
    assert state is not None
    met: dict[str, Met] = {}
    pending: list[Pending] = []
    for clock in state.clocks:
        if clock.started_at is None or clock.budget is None:
            continue
        if clock.stopped_at is not None:
            if (clock.clock, clock.run, BREACH) not in reached:
                due = clock.due_at if clock.due_at is not None else clock.stopped_at
                met[clock.clock] = Met(clock.clock, clock.run, clock.stopped_at, due, clock.priority)
            continue
        for threshold, at in marks(clock):
            if at > now and (clock.clock, clock.run, threshold) not in reached:
                pending.append(Pending(clock.clock, clock.run, threshold, at, clock.priority))
    pending.sort(key=lambda p: (p.due_at, p.threshold))
    return Outcomes(reached, met, pending, state)


def _reach(clock: ClockState, start: dt.datetime, end: dt.datetime | None, now: dt.datetime,
           reached: dict[Key, Reached]) -> None:
    """Record the thresholds `clock` reaches in the segment [start, end) (or [start, now])."""
    if clock.stopped_at is not None:
        return
    # Marks of a paused clock all lie before its pause (those after it are unknown), so a mark
    # that a priority change made overdue during the pause was reached before it.
    for threshold, due in marks(clock):
        key = (clock.clock, clock.run, threshold)
        if key in reached:
            continue
        at = max(due, start)
        if (at > now) if end is None else (at >= end):
            continue
        reached[key] = Reached(clock.clock, clock.run, threshold, due, at, clock.priority)
