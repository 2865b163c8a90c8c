"""A ticket's events folded into what each clock needs: origin, pauses and final stop.

Pure bookkeeping with no arithmetic: `TicketTimeline.read` walks the (time-ordered) events once.
A resolution stopped and then reopened contributes a pause from the stop to the reopening.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hotline.sla.events import (
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

if TYPE_CHECKING:
    from hotline.sla.policy import SlaPolicy

UTC = dt.timezone.utc


@dataclass
class ClockInput:
    origin: dt.datetime | None = None
    pauses: list[tuple[dt.datetime, dt.datetime | None]] = field(default_factory=list)
    stop: dt.datetime | None = None


@dataclass
class TicketTimeline:
    priority: Priority
    changes: list[tuple[Priority, dt.datetime]]  # (priority before, instant of the change)
    response: ClockInput
    resolution: ClockInput
    rfo: ClockInput

    @classmethod
    def read(cls, events: list[SlaEvent], policy: SlaPolicy) -> TicketTimeline:
        if not events or not isinstance(events[0], TicketOpened):
            raise ValueError("a ticket's events must start with TicketOpened")
        opened = events[0]
        at = opened.at.astimezone(UTC)
        timeline = cls(opened.priority, [], ClockInput(at), ClockInput(at), ClockInput())
        waiting_since: dt.datetime | None = None
        for event in events[1:]:
            at = event.at.astimezone(UTC)
            match event:
                case TicketOpened():
                    raise ValueError("a ticket is opened only once")
                case PriorityChanged(priority=priority) if priority != timeline.priority:
                    timeline.changes.append((timeline.priority, at))
                    timeline.priority = priority
                case FirstResponse() if timeline.response.stop is None:
                    timeline.response.stop = at
                case WaitingOnCustomer() if policy.pause_on_waiting and waiting_since is None:
                    waiting_since = at
                case CustomerResponded() if waiting_since is not None:
                    timeline.resolution.pauses.append((waiting_since, at))
                    waiting_since = None
                case WorkaroundProvided() | Resolved():
                    timeline._stop_resolution(event, at, policy.rfo_starts_at)
                case Reopened() if timeline.resolution.stop is not None:
                    timeline.resolution.pauses.append((timeline.resolution.stop, at))
                    timeline.resolution.stop = None
                case RfoDelivered() if timeline.rfo.stop is None:
                    timeline.rfo.stop = at
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
