"""The `TicketClocks` aggregate: one ticket's SLA history and the deadline events it published.

Its id is the ticket's id (sla-timer has its own event store, and the relay keys Kafka
messages by aggregate id, which subscribers expect to be the ticket id). It records the
ticket's SLA-relevant changes, each with every clock's targets after it, and the deadline
events: `DeadlineApproaching` and `DeadlineBreached` (at most one standing per clock, run and
threshold), `DeadlineMet`, and the corrections `DeadlineRetracted` (an earlier event no longer
stands) and `DeadlineReopened` (a met clock runs again). The policy and calendar versions in
force at opening are kept for the life of the ticket, so replays stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hotline_sla_timer.domain.changes import Change
from hotline_sla_timer.domain.targets import ClockTargets, RecordedTargets

StandingKey = tuple[str, int, float]  # (clock, run, threshold)


@dataclass(frozen=True, slots=True)
class Published:
    """A deadline event that stands: what it said, and its version (its ce_id's suffix).
    Slotted: a replay keeps one for every met and standing deadline of every ticket."""

    kind: str  # DeadlineApproaching | DeadlineBreached | DeadlineMet
    version: int
    clock: str
    run: int
    threshold: float
    due_at: datetime
    stopped_at: datetime | None = None


class TicketClocks(Aggregate):
    @staticmethod
    def create_id(ticket_id: UUID, **_: Any) -> UUID:
        return ticket_id

    @event("Opened")
    def __init__(self, *, ticket_id: UUID, ticket_number: str, priority: int, received_at: datetime,
                 policy_version: str, calendar_version: str, targets: dict[str, Any],
                 customer: str | None = None) -> None:
        # `customer`: whose outage it is by default (absent from clocks opened before it was kept)
        self.ticket_id = ticket_id
        self.customer = customer
        self.ticket_number = ticket_number
        self.priority = priority
        self.policy_version = policy_version
        self.calendar_version = calendar_version
        self.changes: list[Change] = [Change("opened", received_at, priority)]
        self.targets = _targets(targets)
        self.standing: dict[StandingKey, Published] = {}
        self.met: dict[str, Published] = {}

    @event("Changed")
    def record_change(self, kind: str, at: datetime, priority: int | None, targets: dict[str, Any],
                      recorded_at: datetime | None = None, target: datetime | None = None) -> None:
        # `target`: an agreement's date (kind `agreed`; absent from changes of other kinds)
        self.changes.append(Change(kind, at, priority, recorded_at, target))
        if priority is not None:
            self.priority = priority
        self.targets = _targets(targets)

    def fire(self, event_class: type[Aggregate.Event], **fields: Any) -> None:
        self.trigger_event(event_class, **fields)

    class ClockEvent(Aggregate.Event):
        """What every deadline event and correction says of its clock, and when it was recorded."""

        clock: str
        run: int
        fired_at: datetime
        priority: int
        ticket_number: str
        policy_version: str
        calendar_version: str

    class DeadlineFired(ClockEvent):
        """A threshold reached (or met); the contract's `lateness_seconds` is fired_at − due_at."""

        threshold: float
        clock_version: int
        due_at: datetime

        def apply(self, aggregate: TicketClocks) -> None:
            state = self.__dict__  # as recorded (no `run` in events recorded before runs existed)
            run, threshold = state.get("run", 1), float(self.threshold)
            published = Published(type(self).__name__, self.originator_version, self.clock, run,
                                  threshold, self.due_at, state.get("stopped_at"))
            if isinstance(self, TicketClocks.DeadlineMet):
                aggregate.met[self.clock] = published
            else:
                aggregate.standing[(self.clock, run, threshold)] = published

    class DeadlineApproaching(DeadlineFired):
        pass

    class DeadlineBreached(DeadlineFired):
        pass

    class DeadlineMet(DeadlineFired):
        stopped_at: datetime

    class DeadlineRetracted(ClockEvent):
        """`retracted_version` names the event that no longer stands."""

        threshold: float
        retracted_version: int
        retracted_kind: str
        due_at: datetime
        reason: str
        detail: str
        changed_at: datetime

        def apply(self, aggregate: TicketClocks) -> None:
            if self.retracted_kind == "DeadlineMet":
                aggregate.met.pop(self.clock, None)
            else:
                aggregate.standing.pop((self.clock, self.run, float(self.threshold)), None)

    class DeadlineReopened(ClockEvent):
        """The met named by `met_version` no longer stands: the clock runs again."""

        met_version: int
        stopped_at: datetime
        reopened_at: datetime

        def apply(self, aggregate: TicketClocks) -> None:
            aggregate.met.pop(self.clock, None)


def _targets(data: dict[str, Any]) -> RecordedTargets:
    return RecordedTargets(data)  # each clock's ClockTargets built when first read


def targets_dict(targets: dict[str, ClockTargets]) -> dict[str, Any]:
    return {clock: value.as_dict() for clock, value in targets.items()}
