"""What the SLA policy answers: every clock's state, due instant and warning instants.

`TicketSla.timers()` flattens the running clocks into `(clock, kind, threshold, at)` rows, which
is what durable timers (issue 4) store: `DeadlineApproaching` at each warning threshold and
`DeadlineBreached` (threshold 100) at the due instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from hotline.sla.budgets import Budget, ClockName
from hotline.sla.events import Priority


class ClockStatus(StrEnum):
    NOT_APPLICABLE = "not-applicable"  # no budget at this priority (P4)
    NOT_STARTED = "not-started"  # the RFO clock before resolution
    RUNNING = "running"
    PAUSED = "paused"  # waiting on customer (resolution only)
    MET = "met"  # stopped at or before its due instant
    BREACHED = "breached"  # due instant passed while running, or stopped late


@dataclass(frozen=True, slots=True)
class DeadlineApproaching:
    """`threshold` % of the budget is used up at `at`."""

    threshold: float
    at: dt.datetime


@dataclass(frozen=True, slots=True)
class PausedInterval:
    """Time that does not count; `end` is None while the pause lasts."""

    start: dt.datetime
    end: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ClockState:
    """One clock of one ticket as of `TicketSla.evaluated_at` (all instants UTC)."""

    clock: ClockName
    priority: Priority
    budget: Budget | None
    status: ClockStatus
    started_at: dt.datetime | None = None
    due_at: dt.datetime | None = None  # None while paused indefinitely or not applicable
    warnings: tuple[DeadlineApproaching, ...] = ()
    stopped_at: dt.datetime | None = None
    breached_at: dt.datetime | None = None  # the missed due instant (kept across priority changes)
    paused: tuple[PausedInterval, ...] = ()
    used: dt.timedelta = dt.timedelta(0)  # budget used up to the stop or evaluation instant
    run: int = 1  # which run of the clock (a restarted resolution clock begins run 2)


@dataclass(frozen=True, slots=True)
class Timer:
    """One instant a timer service must act on."""

    clock: ClockName
    kind: Literal["DeadlineApproaching", "DeadlineBreached"]
    threshold: float  # % of the budget; 100 for the breach
    at: dt.datetime
    priority: Priority
    policy_version: str
    calendar_version: str


@dataclass(frozen=True, slots=True)
class TicketSla:
    """Every clock of a ticket, with the versions of the policy and calendar used."""

    priority: Priority
    evaluated_at: dt.datetime
    policy_version: str
    calendar_version: str
    response: ClockState
    resolution: ClockState
    rfo: ClockState

    @property
    def clocks(self) -> tuple[ClockState, ClockState, ClockState]:
        return (self.response, self.resolution, self.rfo)

    def timers(self, after: dt.datetime | None = None) -> list[Timer]:
        """Warning and breach instants of running clocks (strictly after `after`, if given)."""
        rows: list[Timer] = []
        for state in self.clocks:
            if state.status is not ClockStatus.RUNNING or state.due_at is None:
                continue
            marks = [("DeadlineApproaching", w.threshold, w.at) for w in state.warnings]
            marks.append(("DeadlineBreached", 100, state.due_at))
            for kind, threshold, at in marks:
                if after is None or at > after:
                    rows.append(
                        Timer(
                            state.clock, kind, threshold, at, state.priority,  # type: ignore[arg-type]
                            self.policy_version, self.calendar_version,
                        )
                    )
        return sorted(rows, key=lambda t: t.at)
