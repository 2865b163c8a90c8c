"""Billing on real PostgreSQL: two BillingApplication instances on the same schema taking the
same review outcome at once book exactly one charge; the same outcome under another position,
and a re-review, behave as in memory; invoices and quotes survive a restart (a new instance)."""

from __future__ import annotations

import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from hotline.eventstore import ensure_schema, postgres_env

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "billing"))
from billing_fakes import envelope, make_app, opened, published, review  # noqa: E402

pytestmark = pytest.mark.integration


def test_two_instances_take_the_same_outcome_once(infra, schema):
    ensure_schema(infra.database_url, schema)
    env = postgres_env(infra.database_url, schema)
    first, second = make_app(env), make_app(env)
    for round_ in range(5):  # several races, each on a fresh ticket
        number = f"T-00010{round_}"
        outcome = review(number)
        events = [envelope(outcome, position=1000 + round_), envelope(outcome, position=2000 + round_)]
        barrier = threading.Barrier(4)
        errors: list[BaseException] = []

        def take(app, event):
            try:
                barrier.wait()
                app.take(event)
            except BaseException as exc:  # noqa: BLE001 (reported below)
                errors.append(exc)

        threads = [threading.Thread(target=take, args=(app, event))
                   for app in (first, second) for event in events]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        charges = [e for e in published(first) if e.ticket_number == number]
        assert [(type(e).__name__, e.amount) for e in charges] == [("ChargeBooked", "250.00")]
        for app in (first, second):
            assert not app.take(events[0]) and not app.take(events[1])


def test_state_survives_a_new_instance(infra, schema):
    ensure_schema(infra.database_url, schema)
    env = postgres_env(infra.database_url, schema)
    app = make_app(env)
    app.take(envelope(review("T-000201")))
    app.take(envelope(review("T-000201", revision=2, work=[])))
    app.take(envelope(opened("T-000202", priority=4)))
    quote = app.create_quote("T-000202", Decimal("99.50"), "Rack a server")
    again = make_app(env)
    assert again.invoice("Acme Corp", "2026-11").total == Decimal("200.00")
    approved = again.decide_quote(quote["quote_id"], "approved")
    assert again.explain(approved["charge_id"])["amount"] == "99.50"
    assert [type(e).__name__ for e in published(again)] == [
        "ChargeBooked", "CreditBooked", "ChargeBooked", "QuoteCreated", "QuoteDecided", "ChargeBooked"]
