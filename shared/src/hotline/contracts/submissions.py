"""What became of email and HTTP submissions that opened no ticket, on `hotline.tickets.v1`:
rejected (the sender is told why), ignored (automatic mail, never answered) or a duplicate of
an earlier submission (a resent Message-ID)."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register
from hotline.contracts.tickets import Actor, Channel

RejectionReason = Literal[
    "malformed_subject",
    "oversized",
    "not_utf8",
    "empty_body",
    "no_sender",
    "malformed",
    "unknown_customer",
    "unknown_sender",
    "unknown_location",
    "read_timeout",
    "rate_limited",
    "dmarc_fail",
    "invalid_field",
    "unknown_ticket",
    "other_customers_ticket",
    "not_a_contact_of_ticket",
    "unreadable_slot",
]

IgnoreReason = Literal[
    "auto_submitted",
    "bulk_precedence",
    "null_reverse_path",
    "own_address",
    "delivery_report",
]


@register("hotline.submission.rejected.v1", topics.TICKETS)
class SubmissionRejected(EventBody):
    """A submission could not become a ticket; the sender is told why (unless `reply` is false)."""

    submission_id: UUID
    channel: Channel
    sender: str | None = Field(None, description="Where the reply goes, when known.")
    subject: str | None = None
    reason: RejectionReason
    detail: str = Field(description="Human-readable explanation sent to the sender.")
    expected_format: str = Field(description="The subject format the contract expects.")
    received_at: UtcInstant
    size: int | None = Field(None, ge=0, description="Size of the raw message in bytes.")
    message_id: str | None = None
    reply: bool = Field(
        True, description="False when no reply is owed: the sender's replies are over their "
        "rate limit (HOTLINE_INTAKE_REPLIES_PER_HOUR), or a DMARC failure whose From is not a "
        "registered contact.")
    actor: Actor | None = Field(None, description="Who submitted it (for email: the sender).")
    ticket_number: str | None = Field(
        None, pattern=r"^T-\d{6,}$", description="The ticket the email replied to, when it "
        "named one (`unknown_ticket`, `other_customers_ticket`, `not_a_contact_of_ticket`).")
    notify: str | None = Field(
        None, description="Where the reply goes instead of `sender`, when set: for "
        "`not_a_contact_of_ticket`, the ticket's registered contact (the unknown sender is not "
        "answered). `reply` false: nobody is told.")


class SubmissionOutcome(EventBody):
    """Fields every email that opened nothing and is not answered carries."""

    submission_id: UUID
    channel: Channel
    sender: str | None = Field(None, description="The From address (or the envelope sender).")
    subject: str | None = None
    message_id: str | None = None
    received_at: UtcInstant
    actor: Actor | None = None


@register("hotline.submission.ignored.v1", topics.TICKETS)
class SubmissionIgnored(SubmissionOutcome):
    """An automatic email (auto-reply, bounce, list mail, our own) was kept and not answered."""

    reason: IgnoreReason
    detail: str = Field(description="What marked it as automatic.")


@register("hotline.submission.duplicate.v1", topics.TICKETS)
class SubmissionDuplicate(SubmissionOutcome):
    """An email with the Message-ID of an earlier one from the same sender: nothing new happens."""

    original_submission_id: UUID = Field(
        description="The earlier submission: its ticket id, or its rejection or ignored id.")
    original_outcome: Literal["ticket", "rejected", "ignored"]
    original_ticket_number: str | None = Field(
        None, description="The ticket the earlier email opened, if it opened one.")
