"""One row of the submission log per ticket, rejection or ignored email, derived from its event
alone (`row_of`), so the log can be rebuilt from the event log at any time.

The key (sender, message_id) is what makes a resent email a duplicate. A DMARC failure has no
key: a forger who picks a Message-ID must not be able to turn the real sender's email with the
same id into a duplicate. `reply_to` is set where a reply is owed (to the rejection's `notify`
address when it has one, else its sender): it is what the per-address reply limit counts.
A ticket opened over HTTP with an `Idempotency-Key` is keyed by (caller, `idempotency_id(key)`)
instead, so the same key from the same token cannot open a second ticket (`admission`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple
from uuid import UUID

from hotline_intake.domain.rejection import RejectionReason
from hotline_intake.domain.submission import IgnoredSubmission, RejectedSubmission
from hotline_intake.domain.ticket import Ticket

TICKET, REJECTED, IGNORED = "ticket", "rejected", "ignored"


def idempotency_id(key: str) -> str:
    """The message_id under which an HTTP request's Idempotency-Key is kept in the log."""
    return f"idempotency-key:{key}"


class SubmissionRow(NamedTuple):
    submission_id: UUID
    sender: str | None
    message_id: str | None
    outcome: str  # ticket | rejected | ignored
    ticket_number: str | None
    customer: str | None
    reply_to: str | None
    received_at: datetime


COLUMNS = SubmissionRow._fields


def row_of(event: Any) -> SubmissionRow | None:
    """The row an event adds to the submission log (None: it adds none)."""
    if isinstance(event, Ticket.Opened):
        keyed = getattr(event, "idempotency", None)
        sender, message_id = ((keyed["caller"], idempotency_id(keyed["key"])) if keyed
                              else (event.contact, event.message_id))
        return SubmissionRow(event.originator_id, sender, message_id, TICKET,
                             event.number, event.customer, None, event.received_at)
    if isinstance(event, RejectedSubmission.Rejected):
        keyed = event.reason != RejectionReason.DMARC_FAIL
        recipient = getattr(event, "notify", None) or event.sender
        owed = getattr(event, "reply", True) and event.channel == "email" and recipient
        return SubmissionRow(event.originator_id, event.sender,
                             event.message_id if keyed else None, REJECTED, None, None,
                             recipient if owed else None, event.received_at)
    if isinstance(event, IgnoredSubmission.Ignored):
        return SubmissionRow(event.originator_id, event.sender, event.message_id, IGNORED,
                             None, None, None, event.received_at)
    return None
