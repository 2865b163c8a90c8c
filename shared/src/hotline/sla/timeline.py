"""A ticket's events folded into what each clock needs: origin, pauses, final stop and run.

Pure bookkeeping with no arithmetic: `TicketTimeline.read` walks the (time-ordered) events once
under `TimelineRules` (the policy's switches). The rules, each a setting:

- A work-around or a resolution stops the resolution clock and ends a waiting-on-customer pause
  at that instant; waiting that begins after the clock stopped pauses nothing.
- With `fix_counts_as_response`, a work-around or resolution before any first response also
  stops the response clock at that instant.
- A reopened resolution clock either resumes where it stopped (`reopen="resume"`: the time it
  stood stopped is a pause) or starts a new run with a full budget (`reopen="restart"`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hotline.sla.events import (
    AgreementRecorded,
    CustomerResponded,
    FirstResponse,
    Priority,
    PriorityChanged,
    Reopened,
    Resolved,
    RfoDelivered,
    SlaEvent,
    TicketOpened,
    WaitingOnCustomer,
    WorkaroundProvided,
)

UTC = dt.timezone.utc


@dataclass(frozen=True)
class TimelineRules:
    """The policy's switches that decide how events start, pause and stop clocks."""

    pause_on_waiting: bool = True
    rfo_starts_at: str = "resolved"
    reopen: str = "resume"
    fix_counts_as_response: bool = True


@dataclass
class ClockInput:
    origin: dt.datetime | None = None
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = field(default_factory=list)
    stop: dt.datetime | None = None
    run: int = 1  # a restarted clock begins run 2, 3, ...
    stopped: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)  # resumed stops


@dataclass
class TicketTimeline:
    priority: Priority
    changes: list[tuple[Priority, dt.datetime]]  # (priority before, instant of the change)
    response: ClockInput
    resolution: ClockInput
    rfo: ClockInput
    agreement: tuple[dt.datetime, dt.datetime] | None = None  # (agreed at, target): the latest

    def priority_before(self, instant: dt.datetime | None) -> Priority:
        """The priority in force just before `instant` (the final one for None)."""
        for before, changed_at in self.changes:
            if instant is not None and changed_at >= instant:
                return before
        return self.priority

    def changes_before(self, instant: dt.datetime | None) -> list[tuple[Priority, dt.datetime]]:
        """The priority changes strictly before `instant` (all of them for None)."""
        return [(before, at) for before, at in self.changes if instant is None or at < instant]

    @classmethod
    def read(cls, events: list[SlaEvent], rules: TimelineRules) -> TicketTimeline:
        if not events or not isinstance(events[0], TicketOpened):
            raise ValueError("a ticket's events must start with TicketOpened")
        opened = events[0]
        at = opened.at.astimezone(UTC)
        timeline = cls(opened.priority, [], ClockInput(at), ClockInput(at), ClockInput())
        waiting_since: dt.datetime | None = None
        for event in events[1:]:
            at = event.at.astimezone(UTC)
            resolution = timeline.resolution
            match event:
                case TicketOpened():
                    raise ValueError("a ticket is opened only once")
                case PriorityChanged(priority=priority) if priority != timeline.priority:
                    timeline.changes.append((timeline.priority, at))
                    timeline.priority = priority
                case FirstResponse() if timeline.response.stop is None:
                    timeline.response.stop = at
                case WaitingOnCustomer() if (rules.pause_on_waiting and waiting_since is None
                                             and resolution.stop is None):
                    waiting_since = at
                case CustomerResponded() if waiting_since is not None:
                    resolution.pauses.append((waiting_since, at))
                    waiting_since = None
                case WorkaroundProvided() | Resolved():
                    if waiting_since is not None and resolution.stop is None:
                        resolution.pauses.append((waiting_since, at))
                        waiting_since = None
                    if rules.fix_counts_as_response and timeline.response.stop is None:
                        timeline.response.stop = at
                    timeline._stop_resolution(event, at, rules.rfo_starts_at)
                case Reopened() if resolution.stop is not None:
                    if rules.reopen == "restart":
                        timeline.resolution = ClockInput(at, run=resolution.run + 1)
                    else:
                        resolution.pauses.append((resolution.stop, at))
                        resolution.stopped.append((resolution.stop, at))
                        resolution.stop = None
                case RfoDelivered() if timeline.rfo.stop is None:
                    timeline.rfo.stop = at
                case AgreementRecorded(target=target) if target is not None:
                    timeline.agreement = (at, target.astimezone(UTC))
        if waiting_since is not None:
            timeline.resolution.pauses.append((waiting_since, None))
        rfo = timeline.rfo
        if rfo.origin is None:
            rfo.stop = None
        elif rfo.stop is not None and rfo.stop < rfo.origin:
            rfo.stop = rfo.origin  # delivered before it was due to start: met at once
        return timeline

    def _stop_resolution(self, event: SlaEvent, at: dt.datetime, rfo_starts_at: str) -> None:
        if self.resolution.stop is None:
            self.resolution.stop = at
        if self.rfo.origin is None and (
            isinstance(event, Resolved) or rfo_starts_at == "workaround-or-resolved"
        ):
            self.rfo.origin = at
