"""Booking amounts onto invoices: an amount lands on the customer's invoice for the Pacific
month it was booked in or, when that month is closed (its invoices issued), on the next open
month: later corrections are credits on the next invoice."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from hotline_billing.domain.entries import Charge, Credit
from hotline_billing.domain.ids import credit_id, invoice_id, month_id
from hotline_billing.domain.invoice import BillingMonth, Invoice
from hotline_billing.domain.months import month_of, next_month
from hotline_billing.domain.pricing import money
from hotline_billing.unit import UnitOfWork


def open_invoice(uow: UnitOfWork, customer: str, booked_at: datetime) -> Invoice:
    """The customer's invoice of the first open month from `booked_at`'s, opened if need be."""
    month = month_of(booked_at)
    while (billing_month := uow.get(month_id(month))) is not None and billing_month.closed:
        month = next_month(month)
    if billing_month is None:
        billing_month = uow.add(BillingMonth(month=month))
    invoice = uow.get(invoice_id(customer, month))
    if invoice is None:
        invoice = uow.add(Invoice(customer=customer, month=month))
        billing_month.invoice_opened(customer)
    return invoice


def book_charge(uow: UnitOfWork, charge_id: UUID, *, ticket_id: UUID, ticket_number: str,
                customer: str, kind: str, amount: Decimal, booked_at: datetime,
                **details: Any) -> Charge:
    invoice = open_invoice(uow, customer, booked_at)
    charge = uow.add(Charge(charge_id=charge_id, ticket_id=ticket_id, ticket_number=ticket_number,
                            customer=customer, kind=kind, amount=amount, month=invoice.month,
                            booked_at=booked_at, **details))
    invoice.add_line({"ticket": ticket_number, "kind": kind, "amount": money(amount),
                      "charge_id": str(charge_id), "description": charge.description,
                      "booked_at": booked_at.isoformat()})
    return charge


def book_credit(uow: UnitOfWork, charge: Charge, reason: str, booked_at: datetime,
                actor: dict[str, str] | None = None) -> Credit:
    """Reverse `charge` in full."""
    invoice = open_invoice(uow, charge.customer, booked_at)
    credit = uow.add(Credit(credit_id=credit_id(charge.id), reverses_charge_id=charge.id,
                            ticket_id=charge.ticket_id, ticket_number=charge.ticket_number,
                            customer=charge.customer, amount=-charge.amount, month=invoice.month,
                            reason=reason, booked_at=booked_at, actor=actor))
    invoice.add_line({"ticket": charge.ticket_number, "kind": "credit", "amount": money(credit.amount),
                      "charge_id": str(credit.id), "reverses": str(charge.id),
                      "description": reason, "booked_at": booked_at.isoformat()})
    return credit
