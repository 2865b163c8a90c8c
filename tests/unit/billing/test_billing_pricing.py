"""The pricing rule, pure and in Decimal: max(minimum, off-hours time) rounded up to the billing
increment × the hourly rate, rounded half-up to the cent; nothing when the provider was at fault
(or the cause undetermined, by default)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hotline_billing.domain.pricing import Tariff, money, price, verdict

DEFAULT = Tariff()


@pytest.mark.parametrize(("off_hours", "tariff", "billable", "amount"), [
    (0, DEFAULT, 120, "200.00"),                                  # no logged time: the minimum
    (150, DEFAULT, 150, "250.00"),                                # 2 h 30 min
    (30, DEFAULT, 120, "200.00"),                                 # a 17:30-18:30 entry's 30 min
    (181, Tariff(increment_minutes=15), 195, "325.00"),           # 3 h 01 min, 15-min increment
    (181, DEFAULT, 181, "301.67"),                                # 301.666… half-up
    (121, Tariff(increment_minutes=60), 180, "300.00"),           # rounded UP to the hour
    (61, Tariff(hourly_rate=Decimal("99.99"), minimum_minutes=0), 61, "101.66"),  # 101.6565
    (1, Tariff(hourly_rate=Decimal("0.30"), minimum_minutes=0), 1, "0.01"),  # 0.005: half UP
    (3, Tariff(hourly_rate=Decimal("0.50"), minimum_minutes=0), 3, "0.03"),  # 0.025: half UP
])
def test_price(off_hours, tariff, billable, amount):
    priced = price(off_hours, tariff)
    assert priced.billable_minutes == billable
    assert priced.amount == Decimal(amount)
    assert money(priced.amount) == amount


def test_minimum_applied_is_said():
    assert price(30, DEFAULT).minimum_applied and not price(150, DEFAULT).minimum_applied


def test_provider_at_fault_costs_nothing_with_the_reason():
    decided = verdict("provider-at-fault", True, "our core switch failed", 150, DEFAULT)
    assert not decided.charged and decided.amount == Decimal("0.00")
    assert decided.reason == "provider at fault: our core switch failed"


def test_undetermined_is_charged_only_when_configured():
    assert not verdict("undetermined", False, "unknown", 150, DEFAULT).charged
    assert "undetermined" in verdict("undetermined", False, "unknown", 150, DEFAULT).reason
    charged = verdict("undetermined", False, "unknown", 150, Tariff(charge_undetermined=True))
    assert charged.charged and charged.amount == Decimal("250.00")


def test_money_strings():
    assert money(Decimal("-250")) == "-250.00" and money(Decimal("0.005")) == "0.01"
