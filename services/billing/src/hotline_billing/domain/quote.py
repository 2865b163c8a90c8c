"""A fee quoted for a Priority 4 request (`Quote`), which the customer approves, rejects, or
lets expire; and `OpenQuotes`, the one aggregate listing every undecided quote with its expiry,
which the expiry task reads (saved with each quote's creation and decision, snapshotted)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hotline_billing.domain.ids import OPEN_QUOTES_ID


class Quote(Aggregate):
    @event("Created")
    def __init__(self, ticket_id: UUID, ticket_number: str, customer: str, contact: str | None,
                 amount: Decimal, description: str, expires_at: datetime, created_at: datetime,
                 actor: dict[str, str] | None = None) -> None:
        self.ticket_id = ticket_id
        self.ticket_number = ticket_number
        self.customer = customer
        self.contact = contact
        self.amount = amount
        self.description = description
        self.expires_at = expires_at
        self.created_at = created_at
        self.actor = actor
        self.status = "open"  # then "approved" | "rejected" | "expired"
        self.decided_at: datetime | None = None
        self.charge_id: UUID | None = None

    def decide(self, decision: str, decided_at: datetime, actor: dict[str, str] | None = None,
               charge_id: UUID | None = None) -> None:
        """Approved, rejected or expired; the event repeats what the quote said, for subscribers."""
        self._decided(decision, decided_at, actor, charge_id, self.ticket_id, self.ticket_number,
                      self.customer, self.contact, self.amount, self.description, self.expires_at)

    @event("Decided")
    def _decided(self, decision: str, decided_at: datetime, actor: dict[str, str] | None,
                 charge_id: UUID | None, ticket_id: UUID, ticket_number: str, customer: str,
                 contact: str | None, amount: Decimal, description: str,
                 expires_at: datetime) -> None:
        self.status = decision
        self.decided_at = decided_at
        self.decided_by = actor
        self.charge_id = charge_id

    def expired_by(self, now: datetime) -> bool:
        return self.status == "open" and now >= self.expires_at


class OpenQuotes(Aggregate):
    @staticmethod
    def create_id(**_: Any) -> UUID:
        return OPEN_QUOTES_ID

    @event("Started")
    def __init__(self) -> None:
        self.expiring: dict[str, datetime] = {}  # quote id -> expires_at

    @event("Opened")
    def opened(self, quote_id: UUID, expires_at: datetime) -> None:
        self.expiring[str(quote_id)] = expires_at

    @event("Closed")
    def closed(self, quote_id: UUID) -> None:
        self.expiring.pop(str(quote_id), None)

    def due(self, now: datetime) -> list[UUID]:
        return [UUID(q) for q, at in sorted(self.expiring.items(), key=lambda i: i[1]) if at <= now]
