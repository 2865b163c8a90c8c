"""Closing a month and booking onto it at the same time: the booking that read the month open
cannot be saved once the month was closed meanwhile (optimistic concurrency on the invoice, or
on the month for a customer's first line of it), so it is tried again and lands on the next
month. Settings reach the tariff."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from uuid import uuid4

import pytest
from billing_fakes import NOW, envelope, make_app, review
from eventsourcing.persistence import IntegrityError

from hotline.clock import FixedClock
from hotline_billing.ledger import book_charge
from hotline_billing.settings import BillingSettings
from hotline_billing.unit import UnitOfWork

DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def stale_booking(app, customer: str) -> UnitOfWork:
    """A charge booked on a unit of work read before the month closes (not saved yet)."""
    uow = UnitOfWork(app)
    book_charge(uow, uuid4(), ticket_id=uuid4(), ticket_number="T-000050", customer=customer,
                kind="quote", amount=Decimal("10.00"), booked_at=NOW, description="stale")
    return uow


@pytest.mark.parametrize("customer", ["Acme Corp", "Initech"])  # existing invoice / first line
def test_a_booking_read_before_the_close_is_refused(customer):
    clock = FixedClock(NOW)
    app = make_app(clock=clock)
    app.take(envelope(review(customer="Acme Corp")))
    uow = stale_booking(app, customer)
    clock.set(DECEMBER)
    app.close_month("2026-11")
    with pytest.raises(IntegrityError):
        app.save(*uow.changed())
    assert [c["customer"] for c in app.close_month("2026-11")["invoices"]] == ["Acme Corp"]
    assert app.invoice("Acme Corp", "2026-11").total == Decimal("250.00")


def test_settings_make_the_tariff(monkeypatch):
    for name, value in {"INCREMENT": "15", "HOURLY_RATE": "99.99", "MINIMUM_MINUTES": "60",
                        "CHARGE_UNDETERMINED": "true", "QUOTE_DAYS": "14"}.items():
        monkeypatch.setenv(f"HOTLINE_BILLING_{name}", value)
    settings = BillingSettings()
    tariff = settings.tariff()
    assert (tariff.increment_minutes, tariff.hourly_rate, tariff.minimum_minutes,
            tariff.charge_undetermined) == (15, Decimal("99.99"), 60, True)
    assert (settings.quote_days, settings.http_port, settings.schema) == (14, 8083, "billing")
