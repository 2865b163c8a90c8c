"""billing's part of a ticket's history: the charge a review booked, the credit and no-charge
decision of a re-review, and a P4 ticket's quotes with their decisions; `as_of` keeps only what
was booked or decided by then."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from billing_fakes import NOW, envelope, make_app, opened, review

from hotline.clock import FixedClock
from hotline_billing.history import part


def test_charges_credits_and_decisions_of_a_reviewed_ticket():
    clock = FixedClock(NOW)
    app = make_app(clock=clock)
    app.take(envelope(review("T-000001")))
    clock.advance(timedelta(hours=1))
    app.take(envelope(review("T-000001", revision=2, outcome="provider-at-fault")))
    entries = part(app, "T-000001")["entries"]
    assert [e["type"] for e in entries] == ["Charge.Booked", "Credit.Booked", "NoChargeDecision.Decided"]
    assert entries[0]["summary"].startswith("charge booked (off-hours-support): 250.00 for 2026-11")
    assert entries[1]["detail"]["amount"] == "-250.00"
    assert [e["type"] for e in part(app, "T-000001", NOW + timedelta(minutes=30))["entries"]] == ["Charge.Booked"]
    assert part(app, "T-000404")["entries"] == []


def test_quotes_of_a_p4_ticket():
    clock = FixedClock(NOW)
    app = make_app(clock=clock)
    app.take(envelope(opened("T-000002", priority=4)))
    app.take(envelope(opened("T-000003", priority=4)))
    rejected = app.create_quote("T-000002", Decimal("80"), "Label the patch panel")
    app.create_quote("T-000003", Decimal("90"), "Another ticket's")
    approved = app.create_quote("T-000002", Decimal("250"), "Configure a VLAN")
    clock.advance(timedelta(days=1))
    app.decide_quote(rejected["quote_id"], "rejected")
    app.decide_quote(approved["quote_id"], "approved")
    summaries = [e["summary"] for e in part(app, "T-000002")["entries"]]
    assert sorted(s.split(",")[0] for s in summaries) == sorted([
        "charge booked (quote): 250.00 for 2026-11", "quote 80.00 for Label the patch panel",
        "quote rejected", "quote 250.00 for Configure a VLAN", "quote approved"])
    then = part(app, "T-000002", NOW + timedelta(hours=1))["entries"]
    assert [e["type"] for e in then] == ["Quote.Created", "Quote.Created"]
