"""The pricing rule of off-hours support, pure and in `Decimal`.

A review that finds the provider not at fault costs max(minimum, off-hours minutes), rounded
UP to the billing increment, × the hourly rate / 60, rounded half-up to the cent. A provider at
fault costs nothing; an `undetermined` outcome is charged only when the tariff says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
ROUNDING = ("billable minutes = max(minimum, off-hours minutes) rounded up to the increment; "
            "amount = billable minutes × hourly rate / 60, rounded half-up to the cent")


def cents(amount: Decimal) -> Decimal:
    """`amount` rounded half-up to the cent."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def money(amount: Decimal) -> str:
    """`Decimal` as the contract's money string: two places, e.g. "250.00", "-200.00"."""
    return f"{cents(amount):.2f}"


@dataclass(frozen=True)
class Tariff:
    """What an off-hours charge costs, as configured (HOTLINE_BILLING_*)."""

    hourly_rate: Decimal = Decimal("100.00")
    minimum_minutes: int = 120
    increment_minutes: int = 1
    charge_undetermined: bool = False


@dataclass(frozen=True)
class Price:
    off_hours_minutes: int
    billable_minutes: int
    minimum_applied: bool
    unrounded: Decimal
    amount: Decimal


def price(off_hours_minutes: int, tariff: Tariff) -> Price:
    """The off-hours charge for `off_hours_minutes` of work under `tariff`."""
    floor = max(tariff.minimum_minutes, off_hours_minutes)
    increment = tariff.increment_minutes
    billable = -(-floor // increment) * increment
    unrounded = Decimal(billable) * tariff.hourly_rate / 60
    return Price(off_hours_minutes, billable, tariff.minimum_minutes > off_hours_minutes,
                 unrounded, cents(unrounded))


@dataclass(frozen=True)
class Verdict:
    """What a review outcome costs: a charge with its price, or nothing and why."""

    charged: bool
    reason: str
    price: Price | None = None

    @property
    def amount(self) -> Decimal:
        return self.price.amount if self.price else ZERO


def verdict(outcome: str, provider_at_fault: bool, reason: str, off_hours_minutes: int,
            tariff: Tariff) -> Verdict:
    """Whether the customer pays for a review's off-hours support, and how much."""
    if provider_at_fault or outcome == "provider-at-fault":
        return Verdict(False, f"provider at fault: {reason}")
    if outcome == "undetermined" and not tariff.charge_undetermined:
        return Verdict(False, f"cause undetermined, not charged (HOTLINE_BILLING_CHARGE_UNDETERMINED"
                              f" is off): {reason}")
    return Verdict(True, reason, price(off_hours_minutes, tariff))
