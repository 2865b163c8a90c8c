"""Review outcomes priced exactly once: a charge for a customer-caused outage, a no-charge
decision with its reason for a provider-caused one; a redelivered or republished outcome books
nothing more; a re-review credits the earlier charge and books anew; a late, lower revision
changes nothing; every amount is explained."""

from __future__ import annotations

from decimal import Decimal

from billing_fakes import entry, envelope, make_app, published, review

from hotline.contracts import ChargeBooked, CreditBooked, NoCharge
from hotline_billing.domain.pricing import Tariff


def kinds(app) -> list[tuple[str, str]]:
    return [(type(e).__name__, getattr(e, "amount", "")) for e in published(app)]


def test_customer_caused_outage_is_charged():
    app = make_app()
    assert app.take(envelope(review(work=[entry(90), entry(60)])))
    [charge] = published(app)
    assert isinstance(charge, ChargeBooked)
    assert (charge.amount, charge.kind, charge.month, charge.customer) == (
        "250.00", "off-hours-support", "2026-11", "Acme Corp")
    assert charge.basis.billable_minutes == 150 and charge.basis.hourly_rate == "100.00"
    assert [e["kind"] for e in app.entries_of_ticket("T-000001")] == ["off-hours-support"]


def test_provider_at_fault_is_a_no_charge_with_its_reason():
    app = make_app()
    app.take(envelope(review(outcome="provider-at-fault", reason="our switch failed")))
    [decision] = published(app)
    assert isinstance(decision, NoCharge)
    assert decision.reason == "provider at fault: our switch failed"
    assert app.entries_of_ticket("T-000001")[0]["amount"] == "0.00"


def test_redelivery_at_the_same_position_charges_once():
    app = make_app()
    event = envelope(review())
    assert app.take(event)
    assert not app.take(event)
    assert kinds(app) == [("ChargeBooked", "250.00")]


def test_the_same_outcome_at_another_position_charges_once():
    app = make_app()
    outcome = review()
    assert app.take(envelope(outcome, position=7))
    assert app.take(envelope(outcome, position=8))  # applied: nothing new to book
    assert kinds(app) == [("ChargeBooked", "250.00")]


def test_re_review_credits_the_charge_and_books_anew():
    app = make_app()
    app.take(envelope(review(revision=1, work=[entry(150)])))
    app.take(envelope(review(revision=2, work=[entry(150), entry(60)])))
    app.take(envelope(review(revision=3, outcome="provider-at-fault")))
    assert kinds(app) == [("ChargeBooked", "250.00"), ("CreditBooked", "-250.00"),
                          ("ChargeBooked", "350.00"), ("CreditBooked", "-350.00"), ("NoCharge", "")]
    first, credit = published(app)[:2]
    assert isinstance(credit, CreditBooked) and credit.reverses_charge_id == first.charge_id
    history = app.entries_of_ticket("T-000001")
    assert [e["kind"] for e in history] == ["off-hours-support", "credit", "off-hours-support",
                                            "credit", "no-charge"]
    assert history[0]["credited_by"] == history[1]["charge_id"]
    assert app.invoice("Acme Corp", "2026-11").total == Decimal("0.00")


def test_a_late_lower_or_equal_revision_changes_nothing():
    app = make_app()
    app.take(envelope(review(revision=2)))
    app.take(envelope(review(revision=1, outcome="provider-at-fault")))
    app.take(envelope(review(revision=2, outcome="provider-at-fault")))
    assert kinds(app) == [("ChargeBooked", "250.00")]


def test_undetermined_is_not_charged_by_default():
    app = make_app()
    app.take(envelope(review(outcome="undetermined")))
    assert kinds(app) == [("NoCharge", "")]
    charging = make_app(tariff=Tariff(charge_undetermined=True))
    charging.take(envelope(review(outcome="undetermined")))
    assert kinds(charging) == [("ChargeBooked", "250.00")]


def test_every_amount_explained():
    app = make_app(tariff=Tariff(increment_minutes=15))
    app.take(envelope(review(work=[entry(30, minutes=60), entry(0, minutes=45)])))
    [charge] = published(app)
    explained = app.explain(charge.charge_id)
    assert explained["ticket"] == "T-000001" and explained["amount"] == "200.00"
    assert explained["review"]["outcome"] == "customer-equipment"
    assert explained["review"]["revision"] == 1
    assert [(e["minutes"], e["off_hours_minutes"]) for e in explained["work_log"]] == [(60, 30), (45, 0)]
    pricing = explained["pricing"]
    assert (pricing["off_hours_minutes"], pricing["minimum_minutes"], pricing["minimum_applied"],
            pricing["increment_minutes"], pricing["billable_minutes"], pricing["hourly_rate"]) == (
        30, 120, True, 15, 120, "100.00")
    assert "half-up" in pricing["rounding"]


def test_unrelated_events_only_record_their_position():
    app = make_app()
    from billing_fakes import reprioritised
    event = envelope(reprioritised("T-000009", 3, 2))  # a ticket billing never saw opened
    assert app.take(event) and not app.take(event)
    assert published(app) == []
