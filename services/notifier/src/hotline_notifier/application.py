"""NotifierApplication: decides which notifications upstream events owe, exactly once.

`take(event)` records the owed Notification together with the tracking row of
the upstream event's (source, position) in one transaction; a redelivered or
republished event therefore owes nothing new. Delivery is the dispatcher's job.

What is owed: a confirmation for every ticket opened; a reply for an email rejection whose
`reply` is true (intake sets it false past the sender's reply limit, or when there is nobody
safe to answer). Ignored and duplicate submissions owe nothing: answering automatic mail is how
mail loops start, and a resent email was answered the first time.
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.persistence import Tracking

from hotline.contracts import SubmissionRejected, TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline.processing import TrackedApplication
from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification


class NotifierApplication(TrackedApplication):
    name = "notifier"

    def take(self, event: CloudEvent, trace_context: dict[str, str] | None = None) -> bool:
        """Apply one upstream event. Returns False if it had been applied before."""
        tracking = Tracking(event.source_service, event.position)
        if self.already_processed(tracking):
            return False
        owed = self._owed(event, trace_context or {})
        return self.save_tracked(tracking, *owed)

    def _owed(self, event: CloudEvent, trace_context: dict[str, str]) -> list[Notification]:
        data = event.data
        if isinstance(data, TicketOpened):
            subject, body = templates.confirmation(data)
            return [Notification(cause=str(data.ticket_id), kind="confirmation",
                                 recipient=data.contact, subject=subject, body=body,
                                 ticket_number=data.ticket_number, trace_context=trace_context)]
        if isinstance(data, SubmissionRejected) and data.channel == "email" and data.sender \
                and data.reply:
            subject, body = templates.rejection(data)
            return [Notification(cause=str(data.submission_id), kind="rejection",
                                 recipient=data.sender, subject=subject, body=body,
                                 ticket_number=None, trace_context=trace_context)]
        return []  # nothing owed; the tracking row still records that it was seen

    def record_sent(self, notification: Notification, attempt: int, at: datetime) -> None:
        notification.record_sent(attempt=attempt, sent_at=at)
        self.save(notification)

    def record_failure(
        self, notification: Notification, attempt: int, error: str, at: datetime, will_retry: bool
    ) -> None:
        notification.record_failure(attempt=attempt, error=error, failed_at=at, will_retry=will_retry)
        self.save(notification)
