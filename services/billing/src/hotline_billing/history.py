"""billing's part of a ticket's history: every charge, credit and no-charge decision booked for
it (the ticket's `TicketAccount` lists them: one read, then one per entry) and its P4 quotes
with their decisions. Quotes are not listed by the account; they are found among the quote
creations in billing's log (a topic-filtered read), and only for a ticket that was ever
Priority 4, the only ones quoted. With `as_of`, only what was booked or decided by then."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from fastapi import APIRouter

from hotline import history
from hotline.contracts.tickets import ticket_id_for
from hotline_billing.application import BillingApplication
from hotline_billing.domain.pricing import money
from hotline_billing.domain.quote import Quote

SERVICE = "billing"
QUOTE_CREATED = get_topic(Quote.Created)
PAGE = 1000


def router(app: BillingApplication) -> APIRouter:
    """`GET /tickets/{number}/events`: this part, for intake's `GET /tickets/{number}/history`."""
    return history.events_router(SERVICE, lambda number, as_of: part(app, number, as_of))


def part(app: BillingApplication, number: str, as_of: datetime | None = None) -> dict[str, Any]:
    """{"entries": [...], "state": None}; no entries for a ticket billing has not seen."""
    account_events = list(app.events.get(ticket_id_for(number)))
    ids = [UUID(entry_id) for e in account_events
           if type(e).__name__ in ("ReviewPriced", "EntryBooked")
           for entry_id in _booked(e)]
    if any(getattr(e, "priority", None) == 4 for e in account_events):
        ids += quotes_of(app, number)
    entries = []
    for aggregate_id in ids:
        for event in history.standing(list(app.events.get(aggregate_id)), as_of):
            entries.append(billing_entry(event))
    return {"entries": entries, "state": None}


def _booked(event: Any) -> list[str]:
    if type(event).__name__ == "EntryBooked":
        return [str(event.entry_id)]
    return [str(i) for i in (event.credit_id, event.charge_id, event.decision_id) if i is not None]


def quotes_of(app: BillingApplication, number: str) -> list[UUID]:
    found, start = [], 1
    while page := app.recorder.select_notifications(start, PAGE, topics=[QUOTE_CREATED]):
        for notification in page:
            if app.mapper.to_domain_event(notification).ticket_number == number:
                found.append(notification.originator_id)
        start = page[-1].id + 1
    return found


def billing_entry(event: Any) -> dict[str, Any]:
    owner = type(event).__qualname__.split(".")[0]
    name = type(event).__name__
    if owner == "Charge":
        summary = f"charge booked ({event.kind}): {money(event.amount)} for {event.month}, {event.description}"
    elif owner == "Credit":
        summary = f"credit booked: {money(event.amount)} for {event.month}, reverses {event.reverses_charge_id}: {event.reason}"
    elif owner == "NoChargeDecision":
        summary = f"no charge (review revision {event.review_revision}, {event.outcome}): {event.reason}"
    elif owner == "Quote" and name == "Created":
        summary = f"quote {money(event.amount)} for {event.description}, expires {history.iso(event.expires_at)}"
    elif owner == "Quote":
        summary = f"quote {event.decision}" + (f", charge {event.charge_id}" if event.charge_id else "")
    else:
        summary = f"{owner} {name}"
    return history.entry(SERVICE, event, summary)
