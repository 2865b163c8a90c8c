"""Invoices: one `Invoice` per customer per Pacific month, a draft of lines until its month is
closed, then issued and never changed; and one `BillingMonth` per month, listing the customers
with an invoice in it and whether it is closed.

Booking a line appends to the invoice (and, for a customer's first line of the month, to the
month), and closing a month appends to the month and to each of its invoices: optimistic
concurrency therefore never lets a line land on an invoice that was issued meanwhile.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hotline_billing.domain.ids import invoice_id, month_id


class Invoice(Aggregate):
    @staticmethod
    def create_id(customer: str, month: str, **_: Any) -> UUID:
        return invoice_id(customer, month)

    @event("Opened")
    def __init__(self, customer: str, month: str) -> None:
        self.customer = customer
        self.month = month
        self.lines: list[dict[str, Any]] = []  # ticket, kind, amount ("250.00"), charge_id, ...
        self.issued_at: datetime | None = None

    @event("LineAdded")
    def add_line(self, line: dict[str, Any]) -> None:
        if self.issued_at is not None:
            raise ValueError(f"invoice {self.customer} {self.month} was issued: it never changes")
        self.lines.append(line)

    def issue(self, issued_at: datetime, actor: dict[str, str] | None = None) -> None:
        self._issued(self.customer, self.month, self.total, len(self.lines), issued_at, actor)

    @event("Issued")
    def _issued(self, customer: str, month: str, total: Decimal, lines: int, issued_at: datetime,
                actor: dict[str, str] | None) -> None:
        self.issued_at = issued_at
        self.issued_by = actor

    @property
    def status(self) -> str:
        return "draft" if self.issued_at is None else "issued"

    @property
    def total(self) -> Decimal:
        return sum((Decimal(line["amount"]) for line in self.lines), Decimal("0.00"))


class BillingMonth(Aggregate):
    @staticmethod
    def create_id(month: str, **_: Any) -> UUID:
        return month_id(month)

    @event("Opened")
    def __init__(self, month: str) -> None:
        self.month = month
        self.customers: list[str] = []
        self.closed_at: datetime | None = None

    @event("InvoiceOpened")
    def invoice_opened(self, customer: str) -> None:
        self.customers.append(customer)

    @event("Closed")
    def close(self, closed_at: datetime, actor: dict[str, str] | None = None) -> None:
        self.closed_at = closed_at
        self.closed_by = actor

    @property
    def closed(self) -> bool:
        return self.closed_at is not None
