"""RejectedSubmission: an email or request that could not become a ticket, kept for audit.

Recording it is what makes the reply to the sender durable: notifier answers from
the published event, so a crash after acceptance still gets the sender an answer.
"""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate, event


class RejectedSubmission(Aggregate):
    @event("Rejected")
    def __init__(
        self,
        *,
        channel: str,
        sender: str | None,
        subject: str | None,
        reason: str,
        detail: str,
        expected_format: str,
        received_at: datetime,
        size: int | None,
        message_id: str | None,
        trace_context: dict[str, str],
    ) -> None:
        self.channel = channel
        self.sender = sender
        self.subject = subject
        self.reason = reason
        self.detail = detail
        self.received_at = received_at
