"""The `TicketClocks` aggregate: one ticket's SLA history and the deadline events it fired.

Its id is the ticket's id (sla-timer has its own event store, and the relay keys Kafka
messages by aggregate id, which subscribers expect to be the ticket id). It records the
ticket's SLA-relevant changes, each with every clock's targets after it, and the
`DeadlineApproaching`, `DeadlineBreached` and `DeadlineMet` events, at most one per
(clock, threshold, clock version). The policy and calendar versions in force at opening are
kept for the life of the ticket, so replays stay exact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hotline_sla_timer.domain.changes import Change
from hotline_sla_timer.domain.targets import ClockTargets

FiredKey = tuple[str, float, int]  # (clock, threshold, clock version)


class TicketClocks(Aggregate):
    @staticmethod
    def create_id(ticket_id: UUID, **_: Any) -> UUID:
        return ticket_id

    @event("Opened")
    def __init__(self, *, ticket_id: UUID, ticket_number: str, priority: int, received_at: datetime,
                 policy_version: str, calendar_version: str, targets: dict[str, Any]) -> None:
        self.ticket_id = ticket_id
        self.ticket_number = ticket_number
        self.priority = priority
        self.policy_version = policy_version
        self.calendar_version = calendar_version
        self.changes: list[Change] = [Change("opened", received_at, priority)]
        self.targets = _targets(targets)
        self.fired: dict[FiredKey, str] = {}

    @event("Changed")
    def record_change(self, kind: str, at: datetime, priority: int | None, targets: dict[str, Any]) -> None:
        self.changes.append(Change(kind, at, priority))
        if priority is not None:
            self.priority = priority
        self.targets = _targets(targets)

    def has_fired(self, clock: str, threshold: float, version: int) -> bool:
        return (clock, float(threshold), version) in self.fired

    def fire(self, event_class: type[DeadlineFired], **fields: Any) -> None:
        self.trigger_event(event_class, **fields)

    class DeadlineFired(Aggregate.Event):
        """Common fields; the contract's `lateness_seconds` is fired_at − due_at."""

        clock: str
        threshold: float
        clock_version: int
        due_at: datetime
        fired_at: datetime
        priority: int
        ticket_number: str
        policy_version: str
        calendar_version: str

        def apply(self, aggregate: TicketClocks) -> None:
            aggregate.fired[(self.clock, float(self.threshold), self.clock_version)] = type(self).__name__

    class DeadlineApproaching(DeadlineFired):
        pass

    class DeadlineBreached(DeadlineFired):
        pass

    class DeadlineMet(DeadlineFired):
        stopped_at: datetime


def _targets(data: dict[str, Any]) -> dict[str, ClockTargets]:
    return {clock: ClockTargets.from_dict(value) for clock, value in data.items()}


def targets_dict(targets: dict[str, ClockTargets]) -> dict[str, Any]:
    return {clock: value.as_dict() for clock, value in targets.items()}
