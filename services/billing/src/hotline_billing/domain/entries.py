"""What is booked for a ticket, one aggregate each: a `Charge` (off-hours support priced from a
review, or an approved quote), the `Credit` that reverses a charge, a `NoChargeDecision`.

Amounts are `Decimal` (a credit's is negative). A charge keeps what explains it: the review
outcome and its whole work log with each entry's off-hours minutes, and the pricing basis.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class Charge(Aggregate):
    @staticmethod
    def create_id(charge_id: UUID, **_: Any) -> UUID:
        return charge_id

    @event("Booked")
    def __init__(self, charge_id: UUID, ticket_id: UUID, ticket_number: str, customer: str,
                 kind: str, amount: Decimal, month: str, description: str, booked_at: datetime,
                 basis: dict[str, Any] | None = None, review: dict[str, Any] | None = None,
                 work_log: list[dict[str, Any]] | None = None, quote_id: UUID | None = None,
                 actor: dict[str, str] | None = None) -> None:
        self.ticket_id = ticket_id
        self.ticket_number = ticket_number
        self.customer = customer
        self.kind = kind  # "off-hours-support" | "quote"
        self.amount = amount
        self.month = month
        self.description = description
        self.booked_at = booked_at
        self.basis = basis  # OffHoursBasis fields (the rate as a string)
        self.review = review  # the review outcome priced (json-ready)
        self.work_log = work_log or []
        self.quote_id = quote_id
        self.actor = actor


class Credit(Aggregate):
    @staticmethod
    def create_id(credit_id: UUID, **_: Any) -> UUID:
        return credit_id

    @event("Booked")
    def __init__(self, credit_id: UUID, reverses_charge_id: UUID, ticket_id: UUID,
                 ticket_number: str, customer: str, amount: Decimal, month: str, reason: str,
                 booked_at: datetime, actor: dict[str, str] | None = None) -> None:
        self.reverses_charge_id = reverses_charge_id
        self.ticket_id = ticket_id
        self.ticket_number = ticket_number
        self.customer = customer
        self.amount = amount
        self.month = month
        self.reason = reason
        self.booked_at = booked_at
        self.actor = actor


class NoChargeDecision(Aggregate):
    @staticmethod
    def create_id(decision_id: UUID, **_: Any) -> UUID:
        return decision_id

    @event("Decided")
    def __init__(self, decision_id: UUID, ticket_id: UUID, ticket_number: str, customer: str,
                 review_revision: int, outcome: str, reason: str, booked_at: datetime,
                 review: dict[str, Any], work_log: list[dict[str, Any]],
                 actor: dict[str, str] | None = None) -> None:
        self.ticket_id = ticket_id
        self.ticket_number = ticket_number
        self.customer = customer
        self.review_revision = review_revision
        self.outcome = outcome
        self.reason = reason
        self.booked_at = booked_at
        self.review = review
        self.work_log = work_log
        self.actor = actor
