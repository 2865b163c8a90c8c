"""Ids derived from their cause (UUIDv5), so the same cause seen twice, or by two instances,
names the same aggregate and optimistic concurrency lets only one create it."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

BILLING_NAMESPACE = uuid5(NAMESPACE_URL, "https://hotline.example/billing")


def _id(text: str) -> UUID:
    return uuid5(BILLING_NAMESPACE, text)


def review_charge_id(review_id: UUID, revision: int) -> UUID:
    return _id(f"charge:review:{review_id}:{revision}")


def no_charge_id(review_id: UUID, revision: int) -> UUID:
    return _id(f"no-charge:review:{review_id}:{revision}")


def quote_charge_id(quote_id: UUID) -> UUID:
    return _id(f"charge:quote:{quote_id}")


def credit_id(charge_id: UUID) -> UUID:
    """The credit that reverses a charge (a charge is reversed at most once)."""
    return _id(f"credit:{charge_id}")


def invoice_id(customer: str, month: str) -> UUID:
    return _id(f"invoice:{customer}:{month}")


def month_id(month: str) -> UUID:
    return _id(f"month:{month}")


OPEN_QUOTES_ID = _id("open-quotes")
