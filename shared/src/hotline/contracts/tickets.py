"""Ticket events published by intake on `hotline.tickets.v1`."""

from __future__ import annotations

from typing import Literal
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register

Channel = Literal["email", "http", "phone", "portal"]
"""How a submission reached intake; `phone`: an agent recorded a customer's call; `portal`: a
customer's contact used the web console."""


class Actor(EventBody):
    """Who caused an event: a token's name and role over HTTP, or the sender's address with
    role `email`."""

    name: str = Field(examples=["noc@acme.example"])
    role: str = Field(examples=["agent", "email"])


class Attachment(EventBody):
    """An attachment recorded by name and size (the content is not carried)."""

    filename: str
    size: int = Field(ge=0, description="Decoded size in bytes.")
    content_type: str = "application/octet-stream"


@register("hotline.ticket.opened.v1", topics.TICKETS)
class TicketOpened(EventBody):
    """A support ticket was opened (by email, HTTP, or an agent recording a telephone call)."""

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
    contact: str = Field(description="E-mail address of the registered contact who reported it "
                         "(a telephone call: the contact the agent named, else the customer's "
                         "first registered contact); the confirmation goes there.")
    received_at: UtcInstant = Field(description="When the ticket was received; for a telephone "
                                    "call, the time of the call (up to HOTLINE_INTAKE_MAX_BACKDATE "
                                    "before it was recorded). The SLA clocks start here.")
    off_hours: bool = Field(description="Received outside Standard Support Hours.")
    attachments: list[Attachment] = Field(default_factory=list)
    message_id: str | None = Field(None, description="RFC 5322 Message-ID of the email, if any.")
    calendar_version: str | None = Field(
        None, description="Support calendar version that decided `off_hours`."
    )
    description_truncated: bool = Field(
        False, description="True when `description` is a preview: the full text was longer "
        "than 64 KiB (UTF-8) and is kept by intake (GET /tickets/{number}/description).")
    description_bytes: int | None = Field(
        None, ge=0, description="Size in bytes (UTF-8) of the full description.")
    attachments_omitted: int = Field(
        0, ge=0, description="Attachments not listed because the email had more than 100.")
    actor: Actor | None = Field(None, description="Who opened it.")
    follow_up_of: str | None = Field(
        None, pattern=r"^T-\d{6,}$", description="The closed ticket a customer's reply was about: "
        "this ticket follows it up.")
    caller: str | None = Field(None, description="Who called (channel `phone`).",
                               examples=["Jane Doe, Acme NOC"])
    callback: str | None = Field(None, description="The number to call back (channel `phone`).",
                                 examples=["+1 (555) 010-0100"])


TICKET_NAMESPACE = uuid5(NAMESPACE_URL, "https://hotline.example/tickets")


def ticket_id_for(number: str) -> UUID:
    """A ticket's id is derived from its number (UUIDv5), so any service can find one
    from the other without a lookup."""
    return uuid5(TICKET_NAMESPACE, number)


class TicketChange(EventBody):
    """Fields every lifecycle event of a ticket carries."""

    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$")
    at: UtcInstant = Field(description="When it happened (the instant the SLA clocks use).")
    recorded_at: UtcInstant | None = Field(
        None, description="When intake recorded it; `at` may lie before, within "
        "HOTLINE_INTAKE_MAX_BACKDATE.")
    by: str | None = Field(None, description="Who recorded it (agent or system).")
    note: str | None = None
    actor: Actor | None = Field(None, description="Whose command caused it.")


@register("hotline.ticket.responded.v1", topics.TICKETS)
class FirstResponseGiven(TicketChange):
    """The provider first responded to the ticket; the response clock stops."""


@register("hotline.ticket.workaround-provided.v1", topics.TICKETS)
class WorkaroundProvided(TicketChange):
    """A work-around restored service; the resolution clock stops."""


@register("hotline.ticket.resolved.v1", topics.TICKETS)
class TicketResolved(TicketChange):
    """A permanent solution was delivered; the resolution clock stops, the RFO clock starts."""


@register("hotline.ticket.reopened.v1", topics.TICKETS)
class TicketReopened(TicketChange):
    """A resolved ticket was reopened; the resolution clock runs again."""


@register("hotline.ticket.closed.v1", topics.TICKETS)
class TicketClosed(TicketChange):
    """A resolved ticket was closed; nothing more happens to it."""


@register("hotline.ticket.priority-changed.v1", topics.TICKETS)
class PriorityChanged(TicketChange):
    """The priority changed; SLA targets are recomputed from each clock's original start."""

    from_priority: int = Field(ge=1, le=4)
    priority: int = Field(ge=1, le=4)


@register("hotline.ticket.waiting-on-customer.v1", topics.TICKETS)
class WaitingOnCustomer(TicketChange):
    """The provider waits on the customer; the resolution clock pauses (by default)."""


@register("hotline.ticket.customer-responded.v1", topics.TICKETS)
class CustomerResponded(TicketChange):
    """The customer answered; a paused resolution clock resumes."""


@register("hotline.ticket.rfo-delivered.v1", topics.TICKETS)
class RfoDelivered(TicketChange):
    """The Reason for Outage: with `text`, Hotline emails it to the customer's contact and the
    RFO clock stops when that email is sent; without, it was delivered otherwise and the clock
    stops at `at`."""

    text: str | None = Field(None, max_length=65536,
                             description="The Reason for Outage itself (Markdown or plain text).")


COMMENT_MAX_CHARS = 65536


@register("hotline.ticket.comment-added.v1", topics.TICKETS)
class CommentAdded(TicketChange):
    """A message in the ticket's conversation: a customer's email reply threaded into the ticket,
    or an agent's public reply (emailed to the contact) or internal note (never emailed)."""

    comment_id: UUID = Field(description="Stable id of the comment (derived from its cause).")
    author: str = Field(max_length=320, description="The customer's address, or the agent's "
                        "name or address.", examples=["noc@acme.example", "alice@hotline.example"])
    author_kind: Literal["customer", "agent"]
    visibility: Literal["public", "internal"] = Field(
        description="`public`: part of the conversation with the customer; `internal`: agents only.")
    text: str = Field(max_length=COMMENT_MAX_CHARS, description="The text as received or written, "
                      "quoted history included (displays trim it).")
    text_truncated: bool = Field(False, description="The text was longer and is cut here.")
    attachments: list[Attachment] = Field(default_factory=list)
    channel: Literal["email", "http", "portal"] = Field(
        "http", description="`email`: a customer's emailed reply; `portal`: written in the web "
        "console by a customer's contact; `http`: an agent's, through the API or the console.")
    message_id: str | None = Field(None, max_length=998, description="Message-ID of the customer's "
                                   "email (customer comments).")
    in_reply_to: str | None = Field(None, max_length=998, description="The Message-ID it answered, "
                                    "when it said so.")
