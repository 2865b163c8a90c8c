"""NotifierApplication: decides which notifications upstream events owe, exactly once.

`take(event)` records the owed Notification together with the tracking row of
the upstream event's (source, position) in one transaction; a redelivered or
republished event therefore owes nothing new. Delivery is the dispatcher's job.

What is owed is decided by the concerns in `hotline_notifier.owing` (replies to customers,
escalations, maintenance notices, ...), each asked in turn.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking
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

    def _owed(self, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
        owed: list[Aggregate] = []
        for concern in OWING:
            owed += concern(self, event, trace_context)
        # The same event published again under another position owes nothing new: what it
        # created then (ids derive from the cause) is not created twice.
        return [a for a in owed if not _created_before(self, a)]


def _created_before(app: NotifierApplication, aggregate: Aggregate) -> bool:
    pending = aggregate.pending_events
    return bool(pending) and pending[0].originator_version == 1 and aggregate.id in app.repository


class NotifierRecorder(DeliveryIndex, MaintenanceTables, PostgresMultiTrackingRecorder):
    """notifier's PostgreSQL recorder: events, tracking rows, the delivery index, the maintenance
    tables."""


class MemoryNotifierRecorder(MemoryDeliveryIndex, MemoryMaintenanceTables, POPOMultiTrackingRecorder):
    """notifier's recorder in memory (unit tests): the same tables."""
