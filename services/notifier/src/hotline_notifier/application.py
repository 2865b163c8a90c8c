"""NotifierApplication: decides which notifications upstream events owe, exactly once.

`take(event)` records the owed Notification together with the tracking row of
the upstream event's (source, position) in one transaction; a redelivered or
republished event therefore owes nothing new. Delivery is the dispatcher's job.
`take_batch(events, trace_contexts)` does the same for a batch of ticket events in one
transaction (a surge of openings is taken at the pace intake accepts them, not one round trip
after another).

What is owed is decided by the concerns in `hotline_notifier.owing` (replies to customers,
escalations, maintenance notices, ...), each asked in turn.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.popo import POPOFactory
from eventsourcing.postgres import PostgresFactory

from hotline import versions
from hotline.clock import Clock, SystemClock
from hotline.contracts.envelope import CloudEvent
from hotline.processing import (
    POPOMultiTrackingRecorder,
    PostgresMultiTrackingRecorder,
    TrackedApplication,
)
from hotline.telemetry import current_trace_context, tracer, use_trace_context
from opentelemetry.trace import SpanKind
from hotline_notifier.adapters.delivery_index import DeliveryIndex
from hotline_notifier.adapters.delivery_index_memory import MemoryDeliveryIndex
from hotline_notifier.delivery.records import DeliveryRecords
from hotline_notifier.escalation.policy import EscalationPolicy, load_policy
from hotline_notifier.maintenance.tables import MaintenanceTables
from hotline_notifier.maintenance.tables_memory import MemoryMaintenanceTables
from hotline_notifier.owing import OWING

ESCALATION_POLICY = "escalation-policy"


class NotifierApplication(DeliveryRecords, TrackedApplication):
    name = "notifier"

    def __init__(self, env: dict[str, str] | None = None, *, escalations: EscalationPolicy | None = None,
                 webhook_url: str | None = None, clock: Clock | None = None) -> None:
        super().__init__(env=env)
        self.escalations = escalations or load_policy(None)
        self.webhook_url = webhook_url
        versions.record_in_force(self, [(ESCALATION_POLICY, self.escalations.version,
                                         self.escalations.model_dump(mode="json"))],
                                 (clock or SystemClock()).now(), "notifier")

    def construct_recorder(self) -> Any:
        """Events and tracking rows, and the tables written in the same transactions."""
        if isinstance(self.factory, PostgresFactory):
            prefix = self.env.name.lower()
            recorder = NotifierRecorder(self.factory.datastore, events_table_name=f"{prefix}_events",
                                        tracking_table_name=f"{prefix}_tracking")
            if self.factory.env_create_table():
                recorder.create_table()
            return recorder
        if isinstance(self.factory, POPOFactory):
            return MemoryNotifierRecorder()
        return super().construct_recorder()

    def take(self, event: CloudEvent, trace_context: dict[str, str] | None = None) -> bool:
        """Apply one upstream event. Returns False if it had been applied before."""
        tracking = Tracking(event.source_service, event.position)
        if self.already_processed(tracking):
            return False
        owed = self._owed(event, trace_context or {})
        return self.save_tracked(tracking, *owed)

    def take_batch(self, events: list[CloudEvent], trace_contexts: list[dict[str, str]]) -> int:
        """What `take` does for each event, with one query for the positions applied before,
        one for the aggregates created before, and one transaction for all. The batch is cut
        into runs in which no ticket comes twice, and an event about no ticket stands alone:
        a concern reads the ticket's record as saved, so a later event about a ticket must see
        what an earlier one did to it. A run that fails on the store's keys (a position applied
        meanwhile by another instance) is taken event by event. Returns how many were new."""
        fresh = [(tracking, event, context) for tracking, (event, context) in self.unprocessed(
            zip(events, trace_contexts, strict=True), lambda pair: pair[0])]
        for run in _runs(fresh):
            try:
                self._take_together(run)
            except IntegrityError:
                for _, event, context in run:
                    self.take(event, context)
        return len(fresh)

    def _take_together(self, run: list[tuple[Tracking, CloudEvent, dict[str, str]]]) -> None:
        owed: list[Aggregate] = []
        for _, event, context in run:
            with use_trace_context(context), tracer(__name__).start_as_current_span(
                    f"take {event.type}", kind=SpanKind.CONSUMER):
                for concern in OWING:
                    owed += concern(self, event, current_trace_context())
        # As `_owed`: what an event published again created before is not created twice.
        before = self.existing([a.id for a in owed if _creates(a)])
        self.save_tracked_many([t for t, _, _ in run],
                               *(a for a in owed if not (_creates(a) and a.id in before)))

    def _owed(self, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
        owed: list[Aggregate] = []
        for concern in OWING:
            owed += concern(self, event, trace_context)
        # The same event published again under another position owes nothing new: what it
        # created then (ids derive from the cause) is not created twice.
        return [a for a in owed if not _created_before(self, a)]


def _runs(taken: list[tuple[Tracking, CloudEvent, dict[str, str]]]
          ) -> list[list[tuple[Tracking, CloudEvent, dict[str, str]]]]:
    """`taken` cut, in order, into runs where no ticket comes twice; an event about no ticket
    is a run of its own."""
    runs: list[list[tuple[Tracking, CloudEvent, dict[str, str]]]] = []
    run: list[tuple[Tracking, CloudEvent, dict[str, str]]] = []
    tickets: set[Any] = set()
    for item in taken:
        ticket = getattr(item[1].data, "ticket_id", None)
        if ticket is None or ticket in tickets:
            if run:
                runs.append(run)
            run, tickets = [], set()
        run.append(item)
        if ticket is None:
            runs.append(run)
            run = []
        else:
            tickets.add(ticket)
    if run:
        runs.append(run)
    return runs


def _creates(aggregate: Aggregate) -> bool:
    pending = aggregate.pending_events
    return bool(pending) and pending[0].originator_version == 1


def _created_before(app: NotifierApplication, aggregate: Aggregate) -> bool:
    return _creates(aggregate) and aggregate.id in app.repository


class NotifierRecorder(DeliveryIndex, MaintenanceTables, PostgresMultiTrackingRecorder):
    """notifier's PostgreSQL recorder: events, tracking rows, the delivery index, the maintenance
    tables."""


class MemoryNotifierRecorder(MemoryDeliveryIndex, MemoryMaintenanceTables, POPOMultiTrackingRecorder):
    """notifier's recorder in memory (unit tests): the same tables."""
