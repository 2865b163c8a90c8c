"""P4 quotes: created for a Priority 4 ticket only, approved or rejected by the customer's
word, or expired after `quote_days` unanswered (checked when one is decided, and by the expiry
task). Only an approved quote becomes a charge (kind `quote`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hotline.contracts.tickets import ticket_id_for
from hotline_billing.domain.account import TicketAccount
from hotline_billing.domain.ids import OPEN_QUOTES_ID, quote_charge_id
from hotline_billing.domain.pricing import money
from hotline_billing.domain.quote import OpenQuotes, Quote
from hotline_billing.ledger import book_charge
from hotline_billing.refusals import BillingRefusal, NotFound
from hotline_billing.unit import UnitOfWork

QUOTED_PRIORITY = 4
DECISIONS = ("approved", "rejected")


def create(uow: UnitOfWork, ticket_number: str, amount: Decimal, description: str, *,
           now: datetime, days: int, actor: dict[str, str] | None) -> Quote:
    account: TicketAccount | None = uow.get(ticket_id_for(ticket_number))
    if account is None or account.priority is None:
        raise NotFound("unknown_ticket", f"billing has not seen ticket {ticket_number} opened")
    if account.priority != QUOTED_PRIORITY:
        raise BillingRefusal("not_p4", f"{ticket_number} is Priority {account.priority}: only "
                             "Priority 4 requests are quoted")
    quote = uow.add(Quote(ticket_id=account.id, ticket_number=account.number,
                          customer=account.customer, contact=account.contact, amount=amount,
                          description=description, expires_at=now + timedelta(days=days),
                          created_at=now, actor=actor))
    _open_quotes(uow).opened(quote.id, quote.expires_at)
    return quote


def get(uow: UnitOfWork, quote_id: UUID) -> Quote:
    quote = uow.get(quote_id)
    if not isinstance(quote, Quote):
        raise NotFound("unknown_quote", f"there is no quote {quote_id}")
    return quote


def decide(uow: UnitOfWork, quote_id: UUID, decision: str, *, now: datetime,
           actor: dict[str, str] | None) -> Quote | BillingRefusal:
    """Approve or reject; a quote found expired is recorded `expired` and the refusal returned
    (to be raised once that is saved)."""
    quote = get(uow, quote_id)
    if quote.expired_by(now):
        expire(uow, quote, now)
        return BillingRefusal("quote_expired", f"quote {quote_id} expired at "
                              f"{quote.expires_at.isoformat()} unanswered")
    if quote.status != "open":
        raise BillingRefusal(f"quote_{quote.status}", f"quote {quote_id} was {quote.status} already")
    charge_id = None
    if decision == "approved":
        charge = book_charge(uow, quote_charge_id(quote.id), ticket_id=quote.ticket_id,
                             ticket_number=quote.ticket_number, customer=quote.customer,
                             kind="quote", amount=quote.amount, booked_at=now,
                             description=quote.description, quote_id=quote.id, actor=actor)
        charge_id = charge.id
        uow.get(quote.ticket_id).entry_booked(charge.id, "charge")
    quote.decide(decision, now, actor, charge_id)
    _open_quotes(uow).closed(quote.id)
    return quote


def expire(uow: UnitOfWork, quote: Quote, now: datetime) -> None:
    quote.decide("expired", now)
    _open_quotes(uow).closed(quote.id)


def expire_due(uow: UnitOfWork, now: datetime, limit: int = 100) -> list[Quote]:
    """Record `expired` on up to `limit` open quotes past their expiry."""
    open_quotes: OpenQuotes | None = uow.get(OPEN_QUOTES_ID)
    expired = []
    for quote_id in (open_quotes.due(now) if open_quotes else [])[:limit]:
        quote = uow.get(quote_id)
        if quote is None or quote.status != "open":
            open_quotes.closed(quote_id)  # type: ignore[union-attr]
            continue
        expire(uow, quote, now)
        expired.append(quote)
    return expired


def _open_quotes(uow: UnitOfWork) -> OpenQuotes:
    return uow.get(OPEN_QUOTES_ID) or uow.add(OpenQuotes())


def view(quote: Quote) -> dict[str, Any]:
    return {"quote_id": str(quote.id), "ticket": quote.ticket_number, "customer": quote.customer,
            "contact": quote.contact, "amount": money(quote.amount), "currency": "USD",
            "description": quote.description, "status": quote.status,
            "created_at": quote.created_at.isoformat(), "expires_at": quote.expires_at.isoformat(),
            "decided_at": quote.decided_at.isoformat() if quote.decided_at else None,
            "charge_id": str(quote.charge_id) if quote.charge_id else None}
