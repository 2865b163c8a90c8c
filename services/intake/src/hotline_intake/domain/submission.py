"""What became of a submission that opened no ticket, kept for audit: one aggregate each, with
one event.

* `RejectedSubmission`: it could not become a ticket. Recording it is what makes the reply to the
  sender durable: notifier answers from the published event (unless `reply` is false), so a
  crash after acceptance still gets the sender an answer.
* `IgnoredSubmission`: automatic mail (see `loop_safety`); never answered.
* `DuplicateSubmission`: the same Message-ID from the same sender again; it names the original.

`actor` is who caused it: `{"name": <sender>, "role": "email"}` for email, the caller's token
for HTTP.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

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
        reply: bool = True,
        actor: dict[str, str] | None = None,
        ticket_number: str | None = None,
        notify: str | None = None,
    ) -> None:
        self.channel = channel
        self.sender = sender
        self.subject = subject
        self.reason = reason
        self.detail = detail
        self.received_at = received_at
        self.reply = reply


class IgnoredSubmission(Aggregate):
    @event("Ignored")
    def __init__(
        self,
        *,
        channel: str,
        sender: str | None,
        subject: str | None,
        message_id: str | None,
        reason: str,
        detail: str,
        received_at: datetime,
        size: int | None,
        trace_context: dict[str, str],
        actor: dict[str, str] | None = None,
    ) -> None:
        self.sender = sender
        self.reason = reason
        self.received_at = received_at


class DuplicateSubmission(Aggregate):
    @event("Duplicated")
    def __init__(
        self,
        *,
        channel: str,
        sender: str | None,
        subject: str | None,
        message_id: str | None,
        received_at: datetime,
        original_submission_id: UUID,
        original_outcome: str,
        original_ticket_number: str | None,
        trace_context: dict[str, str],
        actor: dict[str, str] | None = None,
    ) -> None:
        self.sender = sender
        self.original_submission_id = original_submission_id
        self.received_at = received_at
