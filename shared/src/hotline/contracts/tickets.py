"""Ticket events published by intake on `hotline.tickets.v1`."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register

Channel = Literal["email", "http"]


class Attachment(EventBody):
    """An attachment recorded by name and size (the content is not carried)."""

    filename: str
    size: int = Field(ge=0, description="Decoded size in bytes.")
    content_type: str = "application/octet-stream"


@register("hotline.ticket.opened.v1", topics.TICKETS)
class TicketOpened(EventBody):
    """A support ticket was opened (by email or HTTP)."""

    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$", examples=["T-000001"])
    customer: str
    location: str
    issue: str = Field(description="Issue description from the subject line or request.")
    description: str = Field(description="Detailed description: the email body or request text.")
    priority: int = Field(ge=1, le=4, description="Contract priority 1 (outage) to 4 (requests).")
    priority_defaulted: bool = Field(
        False, description="True when no priority was given and the contract default (3) applied."
    )
    channel: Channel
    contact: str = Field(description="E-mail address of the registered contact who reported it.")
    received_at: UtcInstant
    off_hours: bool = Field(description="Received outside Standard Support Hours.")
    attachments: list[Attachment] = Field(default_factory=list)
    message_id: str | None = Field(None, description="RFC 5322 Message-ID of the email, if any.")
    calendar_version: str | None = Field(
        None, description="Support calendar version that decided `off_hours`."
    )


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
]


@register("hotline.submission.rejected.v1", topics.TICKETS)
class SubmissionRejected(EventBody):
    """A submission could not become a ticket; the sender is told why."""

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
