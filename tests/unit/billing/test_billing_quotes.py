"""P4 quotes: only for a Priority 4 ticket billing has seen opened (409 / 404 otherwise); the
customer's approval books a `quote` charge, a rejection nothing; a quote unanswered for 30 days
expires, found on deciding or by the expiry sweep; a decided quote is not decided again."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from billing_fakes import NOW, envelope, make_app, opened, published, reprioritised

from hotline.clock import FixedClock
from hotline.contracts import ChargeBooked, QuoteCreated, QuoteDecided
from hotline_billing.refusals import BillingRefusal


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(clock):
    app = make_app(clock=clock)
    app.take(envelope(opened("T-000002", priority=4)))
    app.take(envelope(opened("T-000003", priority=3)))
    return app


def refused(call) -> tuple[int, str]:
    with pytest.raises(BillingRefusal) as caught:
        call()
    return caught.value.status, caught.value.reason


def test_approved_quote_becomes_a_charge(app):
    actor = {"name": "root", "role": "admin"}
    quote = app.create_quote("T-000002", Decimal("250.00"), "Configure a VLAN", actor)
    assert (quote["status"], quote["amount"], quote["contact"]) == ("open", "250.00", "noc@acme.example")
    assert quote["expires_at"] == (NOW + timedelta(days=30)).isoformat()
    approved = app.decide_quote(quote["quote_id"], "approved", actor)
    assert approved["status"] == "approved" and approved["charge_id"]
    created, decided, charge = published(app)
    assert isinstance(created, QuoteCreated) and created.contact == "noc@acme.example"
    assert isinstance(charge, ChargeBooked) and (charge.kind, charge.amount) == ("quote", "250.00")
    assert str(charge.quote_id) == quote["quote_id"]
    assert isinstance(decided, QuoteDecided) and decided.decision == "approved"
    assert app.explain(charge.charge_id)["quote_id"] == quote["quote_id"]
    assert [e["kind"] for e in app.entries_of_ticket("T-000002")] == ["quote"]
    assert refused(lambda: app.decide_quote(quote["quote_id"], "rejected")) == (409, "quote_approved")


def test_rejected_quote_books_nothing(app):
    quote = app.create_quote("T-000002", Decimal("80"), "Label the patch panel")
    assert app.decide_quote(quote["quote_id"], "rejected")["status"] == "rejected"
    assert [type(e).__name__ for e in published(app)] == ["QuoteCreated", "QuoteDecided"]
    assert app.entries_of_ticket("T-000002") == []


def test_only_p4_tickets_are_quoted(app):
    assert refused(lambda: app.create_quote("T-000003", Decimal("1"), "x")) == (409, "not_p4")
    assert refused(lambda: app.create_quote("T-000999", Decimal("1"), "x")) == (404, "unknown_ticket")
    app.take(envelope(reprioritised("T-000003", 3, 4)))
    assert app.create_quote("T-000003", Decimal("1"), "x")["status"] == "open"
    app.take(envelope(reprioritised("T-000002", 4, 2)))
    assert refused(lambda: app.create_quote("T-000002", Decimal("1"), "x")) == (409, "not_p4")


def test_a_quote_expires_when_decided_too_late(app, clock):
    quote = app.create_quote("T-000002", Decimal("250.00"), "Configure a VLAN")
    clock.advance(timedelta(days=30))
    assert refused(lambda: app.decide_quote(quote["quote_id"], "approved")) == (409, "quote_expired")
    assert app.quote(quote["quote_id"])["status"] == "expired"
    assert [getattr(e, "decision", None) for e in published(app)] == [None, "expired"]


def test_the_sweep_expires_unanswered_quotes(app, clock):
    early = app.create_quote("T-000002", Decimal("1.00"), "first")
    clock.advance(timedelta(days=10))
    later = app.create_quote("T-000002", Decimal("2.00"), "second")
    clock.advance(timedelta(days=20, seconds=-1))
    assert app.expire_quotes() == 0
    clock.advance(timedelta(seconds=1))
    assert app.expire_quotes() == 1 and app.expire_quotes() == 0
    assert app.quote(early["quote_id"])["status"] == "expired"
    assert app.quote(later["quote_id"])["status"] == "open"
    clock.advance(timedelta(days=10))
    assert app.expire_quotes() == 1


def test_unknown_quote(app):
    assert refused(lambda: app.quote(uuid4())) == (404, "unknown_quote")
    assert refused(lambda: app.decide_quote(uuid4(), "approved")) == (404, "unknown_quote")
