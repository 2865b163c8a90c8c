"""`SlaPolicy`: from a ticket's events to the state of its response, resolution and RFO clocks.

`SlaPolicy.evaluate(events, now=None)` is a pure function of its inputs. It reads the events
in time order, ignores those after `now` (default: the last event's instant) and returns a
`TicketSla` carrying the policy and calendar versions it used. The rules, in the contract's
words (each default a setting, see `hotline.sla.settings`):

- Response starts when the ticket is opened and stops at the first response; never paused.
- Resolution starts when the ticket is opened and stops at a work-around or a permanent
  solution (`Resolved`), which also ends a waiting-on-customer pause. `Reopened` runs it again:
  resumed where it stopped, the time it stood stopped not counting (`reopen="resume"`), or as
  a new run with a full budget (`reopen="restart"`). Waiting on customer pauses it
  (`pause_on_waiting`).
- A work-around or resolution before any first response also stops the response clock
  (`fix_counts_as_response`).
- RFO starts at the permanent solution (`rfo_starts_at`) and stops when the RFO is delivered.
- Support-hour clocks start at the next opening when the ticket arrives off hours; 24x7 clocks
  start at once and are added in UTC.
- A priority change recomputes every target from the clock's original start, as if the ticket
  had had the new priority from the beginning; a breach that had already happened under the
  old priority (due instant before the change) stays recorded. A clock that has stopped
  keeps the priority it stopped under: a later change does not touch its outcome.
- A clock stopped at or before its due instant is met; a running clock is breached from its due
  instant on (`now >= due_at`).
- Priority 4 has no contract resolution budget; a date agreed with the customer
  (`AgreementRecorded`) makes the resolution clock run from the agreement to that date, in
  wall-clock time, with the usual warnings; the latest agreement stands.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from hotline.calendar import SupportCalendar, default_calendar
from hotline.sla.budgets import CLOCKS, Basis, Budget, ClockName
from hotline.sla.clock_math import ClockMath, normalise
from hotline.sla.events import Priority, SlaEvent, TicketOpened
from hotline.sla.result import ClockState, ClockStatus, DeadlineApproaching, PausedInterval, TicketSla
from hotline.sla.settings import SlaSettings, parse_thresholds
from hotline.sla.timeline import ClockInput, TicketTimeline, TimelineRules

UTC = dt.timezone.utc


class SlaInputError(ValueError):
    """The events do not describe a ticket (e.g. no `TicketOpened` first)."""


@dataclass(frozen=True, eq=False)
class SlaPolicy:
    """Budgets per priority and clock, warning thresholds per clock, and the pause rules."""

    calendar: SupportCalendar
    budgets: Mapping[Priority, Mapping[ClockName, Budget | None]]
    warnings: Mapping[ClockName, tuple[float, ...]]
    pause_on_waiting: bool = True
    rfo_starts_at: str = "resolved"
    name: str = "contract-sla"
    reopen: str = "resume"
    fix_counts_as_response: bool = True
    _math: dict = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_settings(
        cls, settings: SlaSettings | None = None, calendar: SupportCalendar | None = None
    ) -> SlaPolicy:
        settings = settings if settings is not None else SlaSettings()
        calendar = calendar if calendar is not None else default_calendar()
        budgets = {
            priority: {
                clock: Budget.parse(
                    getattr(settings, f"p{priority.value}_{clock}"), calendar.support_day
                )
                for clock in CLOCKS
            }
            for priority in Priority
        }
        warnings = {clock: parse_thresholds(getattr(settings, f"{clock}_warnings")) for clock in CLOCKS}
        return cls(
            calendar, budgets, warnings, settings.pause_on_waiting, settings.rfo_starts_at,
            settings.name, settings.reopen, settings.fix_counts_as_response,
        )

    def settings(self) -> dict[str, str | bool]:
        """The `SlaSettings` fields that rebuild this policy (stored with each version)."""
        budgets = {
            f"p{p.value}_{c}": "none" if self.budgets[p][c] is None else str(self.budgets[p][c])
            for p in Priority for c in CLOCKS
        }
        warnings = {f"{c}_warnings": ",".join(map(str, self.warnings[c])) for c in CLOCKS}
        return {"name": self.name, **budgets, **warnings, "pause_on_waiting": self.pause_on_waiting,
                "rfo_starts_at": self.rfo_starts_at, "reopen": self.reopen,
                "fix_counts_as_response": self.fix_counts_as_response}

    @cached_property
    def rules(self) -> TimelineRules:
        return TimelineRules(self.pause_on_waiting, self.rfo_starts_at, self.reopen,
                             self.fix_counts_as_response)

    def canonical(self) -> str:
        """Everything that changes the answers (the calendar has its own version)."""
        budgets = ";".join(
            f"P{p.value}.{c}={self.budgets[p][c]}" for p in Priority for c in CLOCKS
        )
        warnings = ";".join(f"{c}={','.join(map(str, self.warnings[c]))}" for c in CLOCKS)
        return (
            f"{budgets}|{warnings}|pause_on_waiting={self.pause_on_waiting}|"
            f"rfo_starts_at={self.rfo_starts_at}|reopen={self.reopen}|"
            f"fix_counts_as_response={self.fix_counts_as_response}"
        )

    @cached_property
    def version(self) -> str:
        """Deterministic id, e.g. `contract-sla-1c0ffee2`."""
        return f"{self.name}-{hashlib.sha256(self.canonical().encode()).hexdigest()[:8]}"

    def deadlines(self, priority: Priority | int | str, opened_at: dt.datetime) -> TicketSla:
        """The targets of a ticket just opened: `evaluate([TicketOpened(...)])`."""
        return self.evaluate([TicketOpened(opened_at, Priority.parse(priority))])

    def evaluate(self, events: Iterable[SlaEvent], now: dt.datetime | None = None) -> TicketSla:
        """Every clock's state as of `now` (default: the last event's instant)."""
        ordered = sorted(events, key=lambda e: e.at)
        if now is None and ordered:
            now = ordered[-1].at
        if now is None or now.tzinfo is None:
            raise SlaInputError("need at least one event, and an aware `now`")
        now = now.astimezone(UTC)
        try:
            timeline = TicketTimeline.read([e for e in ordered if e.at <= now], self.rules)
        except ValueError as error:
            raise SlaInputError(str(error)) from error
        return TicketSla(
            priority=timeline.priority,
            evaluated_at=now,
            policy_version=self.version,
            calendar_version=self.calendar.version,
            response=self._clock("response", timeline.response, timeline, now),
            resolution=self._clock("resolution", timeline.resolution, timeline, now),
            rfo=self._clock("rfo", timeline.rfo, timeline, now),
        )

    # -- one clock --------------------------------------------------------------------------

    def _clock(
        self, name: ClockName, given: ClockInput, timeline: TicketTimeline, now: dt.datetime
    ) -> ClockState:
        stop = given.stop
        # A stopped clock keeps the priority it stopped under (a change at that instant too).
        priority = timeline.priority_before(stop)
        budget = self.budgets[priority][name]
        breached_at = self._recorded_breach(name, given, timeline.changes_before(stop))
        if given.origin is None:
            status = ClockStatus.NOT_STARTED if budget is not None else ClockStatus.NOT_APPLICABLE
            return ClockState(name, priority, budget, status)
        if budget is None and name == "resolution" and timeline.agreement is not None:
            return self._agreed_clock(priority, given, timeline.agreement, now)
        if budget is None:
            status = ClockStatus.BREACHED if breached_at else ClockStatus.NOT_APPLICABLE
            return ClockState(name, priority, None, status, breached_at=breached_at, run=given.run)
        math = self._math_for(budget)
        start = math.start(given.origin)
        pauses = normalise(given.pauses, start)
        due = math.reach(start, pauses, budget.amount)
        warnings = tuple(
            DeadlineApproaching(pct, at)
            for pct in self.warnings[name]
            if (at := math.reach(start, pauses, budget.amount * pct / 100)) is not None
        )
        until = stop if stop is not None else now
        late = due is not None and (until > due if stop is not None else now >= due)
        if breached_at is None and late:
            breached_at = due
        if breached_at is not None:
            status = ClockStatus.BREACHED
        elif stop is not None:
            status = ClockStatus.MET
        elif pauses and pauses[-1][1] is None and pauses[-1][0] <= now:
            status = ClockStatus.PAUSED
        else:
            status = ClockStatus.RUNNING
        return ClockState(
            clock=name,
            priority=priority,
            budget=budget,
            status=status,
            started_at=start,
            due_at=due,
            warnings=warnings,
            stopped_at=stop,
            breached_at=breached_at,
            paused=tuple(PausedInterval(s, e) for s, e in pauses),
            used=math.used(start, pauses, until),
            run=given.run,
        )

    def _agreed_clock(self, priority: Priority, given: ClockInput,
                      agreement: tuple[dt.datetime, dt.datetime], now: dt.datetime) -> ClockState:
        """A clock with no contract budget (P4 resolution) that runs to the date agreed with the
        customer: from the agreement to its `target`, in wall-clock time; waiting on the
        customer does not move an agreed date. Its warnings are at the clock's thresholds of
        that span."""
        start, due = agreement
        budget = Budget(due - start, Basis.WALL)
        stop = max(given.stop, start) if given.stop is not None else None
        until = stop if stop is not None else now
        warnings = tuple(DeadlineApproaching(pct, start + budget.amount * pct / 100)
                         for pct in self.warnings["resolution"])
        late = until > due if stop is not None else now >= due
        status = (ClockStatus.BREACHED if late else ClockStatus.MET if stop is not None
                  else ClockStatus.RUNNING)
        return ClockState(
            clock="resolution", priority=priority, budget=budget, status=status, started_at=start,
            due_at=due, warnings=warnings, stopped_at=stop, breached_at=due if late else None,
            used=max(until - start, dt.timedelta(0)), run=given.run)

    def _recorded_breach(
        self, name: ClockName, given: ClockInput, changes: list[tuple[Priority, dt.datetime]]
    ) -> dt.datetime | None:
        """The first due instant missed under a priority that was later changed: one that fell
        due (or was already overdue when that priority came in force) before the change."""
        if given.origin is None:
            return None
        since = given.origin
        for old_priority, changed_at in changes:
            budget = self.budgets[old_priority][name]
            if budget is not None and given.origin <= changed_at:
                math = self._math_for(budget)
                start = math.start(given.origin)
                due = math.reach(start, normalise(given.pauses, start), budget.amount)
                if due is not None and _ran_between(given, max(due, since), changed_at):
                    return due
            since = max(since, changed_at)
        return None

    def _math_for(self, budget: Budget) -> ClockMath:
        math = self._math.get(budget.basis)
        if math is None:
            math = self._math[budget.basis] = ClockMath(budget.basis, self.calendar)
        return math


def _ran_between(given: ClockInput, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether the clock was not stopped for all of [start, end) (a waiting pause counts as
    running: an overdue mark was reached before it)."""
    return start < end and not any(s <= start and end <= r for s, r in given.stopped)
