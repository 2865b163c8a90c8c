"""Invoices: the draft or issued invoice of a customer and month (JSON, CSV or text), and
closing a month, which issues every invoice of it; issued ones never change again."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from hotline_billing.domain.ids import invoice_id, month_id
from hotline_billing.domain.invoice import BillingMonth, Invoice
from hotline_billing.domain.months import month_start
from hotline_billing.domain.pricing import money
from hotline_billing.refusals import BillingRefusal, NotFound
from hotline_billing.unit import UnitOfWork

CSV_COLUMNS = ("ticket", "kind", "amount", "charge_id", "reverses", "description", "booked_at")


def close_month(uow: UnitOfWork, month: str, *, now: datetime,
                actor: dict[str, str] | None) -> tuple[list[Invoice], bool]:
    """Issue every invoice of `month`; (its invoices, whether it had been closed before)."""
    if month_start(month) > now:
        raise BillingRefusal("month_not_started", f"{month} has not begun: nothing to close")
    billing_month = uow.get(month_id(month)) or uow.add(BillingMonth(month=month))
    invoices = [uow.get(invoice_id(customer, month)) for customer in billing_month.customers]
    if billing_month.closed:
        return invoices, True
    billing_month.close(now, actor)
    for invoice in invoices:
        invoice.issue(now, actor)
    return invoices, False


def find(uow: UnitOfWork, customer: str, month: str) -> Invoice:
    invoice = uow.get(invoice_id(customer, month))
    if invoice is None:
        raise NotFound("unknown_invoice", f"nothing was booked for {customer!r} in {month}")
    return invoice


def as_json(invoice: Invoice) -> dict[str, Any]:
    return {"customer": invoice.customer, "month": invoice.month, "status": invoice.status,
            "currency": "USD", "lines": [dict(line) for line in invoice.lines],
            "total": money(invoice.total),
            "issued_at": invoice.issued_at.isoformat() if invoice.issued_at else None}


def as_csv(invoice: Invoice) -> str:
    """One row per line, then a `total` row."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(invoice.lines)
    writer.writerow({"kind": "total", "amount": money(invoice.total)})
    return out.getvalue()


def as_text(invoice: Invoice) -> str:
    lines = [f"Invoice {invoice.customer} {invoice.month} ({invoice.status}), USD"]
    for line in invoice.lines:
        reverses = f" reverses {line['reverses']}" if line.get("reverses") else ""
        lines.append(f"  {line['ticket']}  {line['kind']:<18} {line['amount']:>12}  "
                     f"{line['charge_id']}{reverses}  {line.get('description', '')}")
    lines.append(f"  {'total':<28} {money(invoice.total):>12}")
    return "\n".join(lines) + "\n"


def summary(invoice: Invoice) -> dict[str, Any]:
    return {"customer": invoice.customer, "month": invoice.month, "status": invoice.status,
            "total": money(invoice.total), "lines": len(invoice.lines)}
