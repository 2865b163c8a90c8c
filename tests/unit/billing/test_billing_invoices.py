"""Invoices: one per customer per Pacific month, a draft while the month is open; closing the
month issues each (published), and an issued invoice never changes: what is booked later lands
on the next open month. JSON, CSV and text shapes."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from billing_fakes import NOW, envelope, make_app, published, review

from hotline.clock import FixedClock
from hotline.contracts import InvoiceIssued
from hotline_billing import invoices
from hotline_billing.refusals import BillingRefusal


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def test_draft_then_issued_and_immutable(clock):
    app = make_app(clock=clock)
    app.take(envelope(review("T-000001")))
    app.take(envelope(review("T-000004", customer="Globex Telecom", work=[])))
    draft = invoices.as_json(app.invoice("Acme Corp", "2026-11"))
    assert (draft["status"], draft["total"], draft["currency"]) == ("draft", "250.00", "USD")
    clock.set(datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc))  # 00:30 Pacific, December
    closed = app.close_month("2026-11")
    assert {(i["customer"], i["total"], i["status"]) for i in closed["invoices"]} == {
        ("Acme Corp", "250.00", "issued"), ("Globex Telecom", "200.00", "issued")}
    issued = [e for e in published(app) if isinstance(e, InvoiceIssued)]
    assert {(e.customer, e.month, e.total, e.lines) for e in issued} == {
        ("Acme Corp", "2026-11", "250.00", 1), ("Globex Telecom", "2026-11", "200.00", 1)}
    assert app.close_month("2026-11")["already_closed"] is True
    assert len([e for e in published(app) if isinstance(e, InvoiceIssued)]) == 2

    # A re-review after the close: credit and new charge land on December, November unchanged.
    app.take(envelope(review("T-000001", revision=2, work=[])))
    november = invoices.as_json(app.invoice("Acme Corp", "2026-11"))
    assert (november["status"], november["total"], len(november["lines"])) == ("issued", "250.00", 1)
    december = invoices.as_json(app.invoice("Acme Corp", "2026-12"))
    assert december["status"] == "draft"
    assert [(line["kind"], line["amount"]) for line in december["lines"]] == [
        ("credit", "-250.00"), ("off-hours-support", "200.00")]
    assert december["total"] == "-50.00"
    assert december["lines"][0]["reverses"] == november["lines"][0]["charge_id"]


def test_a_charge_booked_in_a_closed_month_goes_to_the_next_open_one(clock):
    app = make_app(clock=clock)
    clock.set(datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc))
    app.close_month("2026-11")  # nothing booked: no invoice, the month still closes
    clock.set(datetime(2026, 12, 1, 7, 59, tzinfo=timezone.utc))  # still Nov 30 in Pacific
    app.take(envelope(review()))
    [charge] = [e for e in published(app)]
    assert charge.month == "2026-12"
    assert app.invoice("Acme Corp", "2026-12").status == "draft"
    with pytest.raises(BillingRefusal) as unknown:
        app.invoice("Acme Corp", "2026-11")
    assert (unknown.value.status, unknown.value.reason) == (404, "unknown_invoice")


def test_months_follow_the_pacific_calendar(clock):
    app = make_app(clock=clock)
    clock.set(datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc))  # 23:00 Nov 30 Pacific
    app.take(envelope(review()))
    assert app.invoice("Acme Corp", "2026-11").total == 250


def test_a_month_not_begun_is_not_closed(clock):
    app = make_app(clock=clock)
    with pytest.raises(BillingRefusal) as refused:
        app.close_month("2026-12")
    assert refused.value.reason == "month_not_started"


def test_shapes(clock):
    app = make_app(clock=clock)
    app.take(envelope(review()))
    app.take(envelope(review(revision=2, work=[])))
    invoice = app.invoice("Acme Corp", "2026-11")
    found = invoices.as_json(invoice)
    assert set(found) >= {"customer", "month", "status", "currency", "lines", "total"}
    assert (found["customer"], found["month"], found["total"]) == ("Acme Corp", "2026-11", "200.00")
    charge, credit, again = found["lines"]
    assert {"ticket", "kind", "amount", "charge_id"} <= set(charge) and "reverses" not in charge
    assert (credit["kind"], credit["amount"], credit["reverses"]) == (
        "credit", "-250.00", charge["charge_id"])
    assert credit["charge_id"] != charge["charge_id"] and again["amount"] == "200.00"
    rows = list(csv.DictReader(io.StringIO(invoices.as_csv(invoice))))
    assert [(r["ticket"], r["kind"], r["amount"]) for r in rows] == [
        ("T-000001", "off-hours-support", "250.00"), ("T-000001", "credit", "-250.00"),
        ("T-000001", "off-hours-support", "200.00"), ("", "total", "200.00")]
    assert rows[1]["reverses"] == charge["charge_id"]
    text = invoices.as_text(invoice)
    assert "Acme Corp 2026-11 (draft)" in text and "-250.00" in text and "200.00" in text.splitlines()[-1]


def test_lines_of_one_invoice_stay_when_time_moves_on(clock):
    app = make_app(clock=clock)
    app.take(envelope(review("T-000001")))
    clock.advance(timedelta(days=20))  # December, November still open: lands on December
    app.take(envelope(review("T-000005")))
    assert len(app.invoice("Acme Corp", "2026-11").lines) == 1
    assert len(app.invoice("Acme Corp", "2026-12").lines) == 1
