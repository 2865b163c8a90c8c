"""A unit of work: the aggregates one command or one upstream event reads and changes, each
loaded once (the same instance however often it is asked for), saved together in one
transaction by the application."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate


class UnitOfWork:
    def __init__(self, app: Application) -> None:
        self.app = app
        self._aggregates: dict[UUID, Aggregate] = {}
        self._absent: set[UUID] = set()

    def absent(self, aggregate_ids: set[UUID]) -> None:
        """These are known not to exist (found with one query): `get` need not ask."""
        self._absent |= aggregate_ids

    def get(self, aggregate_id: UUID) -> Any:
        """The aggregate, or None when it does not exist."""
        if aggregate_id not in self._aggregates:
            if aggregate_id in self._absent:
                return None
            try:
                self._aggregates[aggregate_id] = self.app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                return None
        return self._aggregates[aggregate_id]

    def add(self, aggregate: Aggregate) -> Aggregate:
        self._aggregates.setdefault(aggregate.id, aggregate)
        return aggregate

    def changed(self) -> list[Aggregate]:
        """The aggregates with new events, in the order they were first loaded or added."""
        return [a for a in self._aggregates.values() if a.pending_events]
