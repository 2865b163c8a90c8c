"""Outage-review events published by intake on `hotline.reviews.v1`.

The contract: when a customer calls outside Standard Support Hours about a Priority 1 outage,
the event is reviewed with the customer to determine its cause; if the provider is found not
at fault, the customer pays for the off-hours support. A review belongs to one ticket (key and
`ce_subject`: the ticket number). Engineers log work against it; a reviewer records the
outcome after resolution, and may record it again: each `review.recorded` supersedes the
previous one (`revision` 1, 2, …), nothing is edited. `review.recorded` carries the whole work
log with each entry's off-hours minutes, so billing prices it from that one event.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register
from hotline.contracts.tickets import Actor

ReviewOutcome = Literal["provider-at-fault", "customer-equipment", "customer-configuration",
                        "third-party", "carrier", "undetermined"]
"""What the review found caused the outage. Only `provider-at-fault` means the provider was at
fault; `undetermined` is billed as billing's setting says."""

OpenedBecause = Literal["p1-off-hours", "raised-to-p1-off-hours", "by-hand"]


class ReviewEvent(EventBody):
    """Fields every review event carries."""

    review_id: UUID = Field(description="Derived from the ticket: one review per ticket.")
    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$", examples=["T-000001"])
    customer: str
    actor: Actor | None = None


@register("hotline.review.opened.v1", topics.REVIEWS)
class ReviewOpened(ReviewEvent):
    """An outage review was opened for a ticket (a P1 in Off Hours, or by hand)."""

    opened_at: UtcInstant
    because: OpenedBecause
    priority: int = Field(ge=1, le=4)
    note: str | None = None


class WorkLogEntry(EventBody):
    """One engineer's work on the ticket, and the part of it in Off Hours."""

    entry_id: UUID
    engineer: str = Field(description="The engineer's e-mail address.")
    start: UtcInstant
    end: UtcInstant
    note: str
    minutes: int = Field(ge=0, description="Whole minutes from start to end (rounded up).")
    off_hours_minutes: int = Field(
        ge=0, description="The minutes of it outside Standard Support Hours on the support "
        "calendar (rounded up).")
    logged_at: UtcInstant


@register("hotline.review.work-logged.v1", topics.REVIEWS)
class WorkLogged(ReviewEvent):
    """An engineer logged work against the ticket under review."""

    entry: WorkLogEntry
    calendar_version: str


@register("hotline.review.recorded.v1", topics.REVIEWS)
class ReviewRecorded(ReviewEvent):
    """A reviewer recorded the review's outcome; a later one supersedes it (`revision`)."""

    revision: int = Field(ge=1, description="1 for the first outcome, 2, 3, … for each re-review.")
    outcome: ReviewOutcome
    provider_at_fault: bool
    reason: str
    recorded_at: UtcInstant
    priority: int = Field(ge=1, le=4)
    work_log: list[WorkLogEntry] = Field(description="Every entry logged so far, oldest first.")
    off_hours_minutes: int = Field(ge=0, description="Sum of the entries' off-hours minutes.")
    calendar_version: str
