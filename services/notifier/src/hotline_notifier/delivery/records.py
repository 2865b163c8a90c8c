"""What the notifier application keeps about deliveries: the delivery index written with every
save of a notification, each attempt's outcome as an event, and the listings read from both.

`DeliveryRecords` is a mixin of `NotifierApplication`, whose recorder has the delivery index
(`adapters.delivery_index.DeliveryIndex`, in memory `MemoryDeliveryIndex`). Every save —
`save`, `save_tracked`, `save_tracked_many`, from any module — passes the `DeliveryRow` of
each notification it changes, so the row is written in the same transaction as the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.utils import get_topic

from hotline.processing import TrackedApplication
from hotline_notifier.adapters.delivery_index import DeliveryIndex, DeliveryRow
from hotline_notifier.adapters.delivery_index_memory import MemoryDeliveryIndex
from hotline_notifier.domain.delivery import Delivered, Outcome
from hotline_notifier.domain.notification import Notification

REQUESTED = get_topic(Notification.Requested)
MAX_ERROR_CHARS = 1000


class DeliveryRecords(TrackedApplication):
    @property
    def deliveries(self) -> DeliveryIndex | MemoryDeliveryIndex:
        """The delivery index (the recorder itself)."""
        return self.recorder  # type: ignore[return-value]

    def _record(self, processing_event: ProcessingEvent) -> Any:
        changed = {e.originator_id for e in processing_event.events}
        rows = [DeliveryRow.of(a) for i, a in processing_event.aggregates.items()
                if i in changed and isinstance(a, Notification)]
        if rows:
            processing_event.saved_kwargs["deliveries"] = rows
        return super()._record(processing_event)

    @staticmethod
    def _apply_outcome(notification: Notification, outcome: Outcome, at: datetime,
                       next_attempt_at: datetime | None) -> None:
        attempt = notification.attempts + 1
        if isinstance(outcome, Delivered):
            notification.record_sent(attempt=attempt, sent_at=at, reply=outcome.reply)
        else:
            notification.record_failure(
                attempt=attempt, error=outcome.reason[:MAX_ERROR_CHARS], failed_at=at,
                next_attempt_at=None if outcome.permanent else next_attempt_at,
                permanent=outcome.permanent)

    def record_outcomes(self, recorded: list[tuple[Notification, Outcome, datetime,
                                                   datetime | None]]) -> None:
        """Record attempts in one transaction: (notification, outcome, at, next attempt), each
        sent, or failed (retried at its next attempt unless permanent or None: given up). `at` is
        the stack's clock."""
        for notification, outcome, at, next_attempt_at in recorded:
            self._apply_outcome(notification, outcome, at, next_attempt_at)
        self.save(*(notification for notification, *_ in recorded))

    def load_notifications(self, notification_ids: Sequence[UUID]) -> dict[UUID, Any]:
        """These notifications as `repository.get` makes them (notifier takes no snapshots),
        with one query on PostgreSQL instead of one each: what the dispatcher claims together.
        An id without events is left out."""
        return self.load_many(notification_ids)

    def history(self, notification_id: UUID) -> list[Any]:
        """The notification's events, oldest first (one index probe, not a log scan)."""
        return list(self.repository.event_store.get(notification_id))

    def rebuild_delivery_index(self, *, replace: bool = False) -> int:
        """Add a row for every notification in the log that the index lacks (all of them, after
        emptying it, with `replace`: only while no dispatcher runs). Returns how many exist."""
        ids: list[UUID] = []
        start = 1
        while page := self.recorder.select_notifications(start, 1000, topics=[REQUESTED]):
            ids += [n.originator_id for n in page]
            start = page[-1].id + 1
        self.deliveries.backfill_deliveries([DeliveryRow.of(self.repository.get(i)) for i in ids],
                                            replace=replace)
        return len(ids)
