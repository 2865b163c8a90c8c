"""Billing events published by billing on `hotline.billing.v1`.

Money is a string with two decimals in USD (`"250.00"`), from `Decimal` rounded half-up to the
cent. Key and `ce_subject` are the ticket number. `month` is the invoice month (Pacific,
`YYYY-MM`) an amount lands on: the month it was booked in, or the next open one when that
month's invoice was already issued.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register
from hotline.contracts.tickets import Actor

Money = str  # "250.00": Decimal, two places, USD
MONEY = r"^-?\d+\.\d{2}$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


class BillingEvent(EventBody):
    """Fields every billing event about a ticket carries."""

    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$")
    customer: str
    currency: Literal["USD"] = "USD"
    booked_at: UtcInstant
    actor: Actor | None = None


class OffHoursBasis(EventBody):
    """How an off-hours charge was priced: max(minimum, off-hours time) rounded up to the
    increment, × the hourly rate."""

    off_hours_minutes: int = Field(ge=0)
    minimum_minutes: int = Field(ge=0)
    increment_minutes: int = Field(ge=1)
    billable_minutes: int = Field(ge=0)
    hourly_rate: Money = Field(pattern=MONEY)
    review_revision: int = Field(ge=1)
    outcome: str


@register("hotline.billing.charge-booked.v1", topics.BILLING)
class ChargeBooked(BillingEvent):
    """A charge was booked: off-hours support after a review, or an approved P4 quote."""

    charge_id: UUID
    kind: Literal["off-hours-support", "quote"]
    amount: Money = Field(pattern=MONEY)
    month: str = Field(pattern=MONTH)
    description: str
    basis: OffHoursBasis | None = Field(None, description="For off-hours support.")
    quote_id: UUID | None = Field(None, description="For an approved quote.")


@register("hotline.billing.credit-booked.v1", topics.BILLING)
class CreditBooked(BillingEvent):
    """A credit reversed an earlier charge (a superseding review); `amount` is negative."""

    credit_id: UUID
    reverses_charge_id: UUID
    amount: Money = Field(pattern=MONEY)
    month: str = Field(pattern=MONTH)
    reason: str


@register("hotline.billing.no-charge.v1", topics.BILLING)
class NoCharge(BillingEvent):
    """A review outcome that costs the customer nothing, with the reason."""

    decision_id: UUID
    review_revision: int = Field(ge=1)
    outcome: str
    reason: str


class QuoteEvent(EventBody):
    """Fields every P4 quote event carries."""

    quote_id: UUID
    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$")
    customer: str
    contact: str | None = Field(None, description="The ticket's contact, who is sent the quote.")
    amount: Money = Field(pattern=MONEY)
    currency: Literal["USD"] = "USD"
    description: str
    expires_at: UtcInstant
    actor: Actor | None = None


@register("hotline.billing.quote-created.v1", topics.BILLING)
class QuoteCreated(QuoteEvent):
    """A fee for a Priority 4 request was quoted; the customer must approve it first."""

    created_at: UtcInstant


@register("hotline.billing.quote-decided.v1", topics.BILLING)
class QuoteDecided(QuoteEvent):
    """A quote was approved (it becomes a charge), rejected, or expired unanswered."""

    decision: Literal["approved", "rejected", "expired"]
    decided_at: UtcInstant


@register("hotline.billing.invoice-issued.v1", topics.BILLING)
class InvoiceIssued(EventBody):
    """A customer's invoice for a closed month was issued; it never changes again."""

    invoice_id: UUID
    customer: str
    month: str = Field(pattern=MONTH)
    currency: Literal["USD"] = "USD"
    total: Money = Field(pattern=MONEY)
    lines: int = Field(ge=0)
    issued_at: UtcInstant
    actor: Actor | None = None
