"""NotifierApplication: decides which notifications upstream events owe, exactly once.

`take(event)` records the owed Notification together with the tracking row of
the upstream event's (source, position) in one transaction; a redelivered or
republished event therefore owes nothing new. Delivery is the dispatcher's job.

What is owed is decided by the concerns in `hotline_notifier.owing` (replies to customers,
escalations, maintenance notices, ...), each asked in turn.
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Tracking

from hotline.contracts.envelope import CloudEvent
from hotline.processing import TrackedApplication
from hotline_notifier.domain.notification import Notification
from hotline_notifier.owing import OWING


class NotifierApplication(TrackedApplication):
    name = "notifier"

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
        return owed  # maybe nothing; the tracking row still records that the event was seen

    def record_sent(self, notification: Notification, attempt: int, at: datetime) -> None:
        notification.record_sent(attempt=attempt, sent_at=at)
        self.save(notification)

    def record_failure(
        self, notification: Notification, attempt: int, error: str, at: datetime, will_retry: bool
    ) -> None:
        notification.record_failure(attempt=attempt, error=error, failed_at=at, will_retry=will_retry)
        self.save(notification)
