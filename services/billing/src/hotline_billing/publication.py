"""What billing publishes on `hotline.billing.v1`: charges, credits, no-charge decisions,
quotes and issued invoices. `ce_subject` and the Kafka key are the ticket number (an invoice's:
its id and its customer), so a ticket's charge, credit and no-charge, though different
aggregates, stay in order on one partition; every other event of the log (ticket accounts,
invoice lines, months) maps to None and stays private.
"""

from __future__ import annotations

from typing import Any

from hotline.contracts import (
    ChargeBooked,
    CreditBooked,
    InvoiceIssued,
    NoCharge,
    QuoteCreated,
    QuoteDecided,
)
from hotline.contracts.base import EventBody
from hotline.contracts.envelope import CloudEvent
from hotline_billing.domain.entries import Charge, Credit, NoChargeDecision
from hotline_billing.domain.invoice import Invoice
from hotline_billing.domain.pricing import money
from hotline_billing.domain.quote import Quote

SOURCE = "/hotline/billing"


def to_cloud_event(domain_event: Any, position: int) -> CloudEvent | None:
    data = body(domain_event)
    if data is None:
        return None
    number = getattr(data, "ticket_number", None)
    return CloudEvent(
        id=f"{domain_event.originator_id}:{domain_event.originator_version}",
        source=SOURCE, type=data.ce_type, time=domain_event.timestamp,
        subject=number or str(domain_event.originator_id), position=position, data=data,
        key=number or getattr(data, "customer", None),
    )


def body(e: Any) -> EventBody | None:
    """The contract body of a domain event, or None for a private one."""
    if isinstance(e, Charge.Booked):
        return ChargeBooked(**_ticket(e), charge_id=e.originator_id, kind=e.kind,
                            amount=money(e.amount), month=e.month, description=e.description,
                            basis=e.basis, quote_id=e.quote_id)
    if isinstance(e, Credit.Booked):
        return CreditBooked(**_ticket(e), credit_id=e.originator_id,
                            reverses_charge_id=e.reverses_charge_id, amount=money(e.amount),
                            month=e.month, reason=e.reason)
    if isinstance(e, NoChargeDecision.Decided):
        return NoCharge(**_ticket(e), decision_id=e.originator_id,
                        review_revision=e.review_revision, outcome=e.outcome, reason=e.reason)
    if isinstance(e, Quote.Created):
        return QuoteCreated(**_quote(e), actor=e.actor, created_at=e.created_at)
    if isinstance(e, Quote.Decided):
        return QuoteDecided(**_quote(e), actor=e.actor, decision=e.decision,
                            decided_at=e.decided_at)
    if isinstance(e, Invoice.Issued):
        return InvoiceIssued(invoice_id=e.originator_id, customer=e.customer, month=e.month,
                             total=money(e.total), lines=e.lines, issued_at=e.issued_at,
                             actor=e.actor)
    return None


def _ticket(e: Any) -> dict[str, Any]:
    return {"ticket_id": e.ticket_id, "ticket_number": e.ticket_number, "customer": e.customer,
            "booked_at": e.booked_at, "actor": e.actor}


def _quote(e: Any) -> dict[str, Any]:
    return {"quote_id": e.originator_id, "ticket_id": e.ticket_id,
            "ticket_number": e.ticket_number, "customer": e.customer, "contact": e.contact,
            "amount": money(e.amount), "description": e.description, "expires_at": e.expires_at}
