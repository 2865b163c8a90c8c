"""Every amount explained: what a charge, credit or no-charge decision was booked from — the
ticket and review outcome, each work-log entry with its off-hours minutes, and the minimum,
increment, rate and rounding that priced it (or the quote it came from)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from hotline_billing.domain.entries import Charge, Credit, NoChargeDecision
from hotline_billing.domain.ids import credit_id
from hotline_billing.domain.pricing import ROUNDING, money
from hotline_billing.refusals import NotFound
from hotline_billing.unit import UnitOfWork


def explain(uow: UnitOfWork, entry_id: UUID) -> dict[str, Any]:
    entry = uow.get(entry_id)
    if isinstance(entry, Charge):
        return _charge(uow, entry)
    if isinstance(entry, Credit):
        return {**_common(entry, "credit"), "amount": money(entry.amount), "month": entry.month,
                "reverses": str(entry.reverses_charge_id), "reason": entry.reason,
                "reversed_charge": _charge(uow, uow.get(entry.reverses_charge_id))}
    if isinstance(entry, NoChargeDecision):
        return {**_common(entry, "no-charge"), "amount": "0.00", "reason": entry.reason,
                "review": entry.review, "work_log": _work_log(entry.work_log)}
    raise NotFound("unknown_charge", f"there is no charge, credit or no-charge decision {entry_id}")


def _common(entry: Any, kind: str) -> dict[str, Any]:
    return {"charge_id": str(entry.id), "kind": kind, "ticket": entry.ticket_number,
            "customer": entry.customer, "currency": "USD", "booked_at": entry.booked_at.isoformat()}


def _charge(uow: UnitOfWork, charge: Charge) -> dict[str, Any]:
    credit = uow.get(credit_id(charge.id))
    found = {**_common(charge, charge.kind), "amount": money(charge.amount), "month": charge.month,
             "description": charge.description,
             "credited_by": str(credit.id) if credit is not None else None}
    if charge.quote_id is not None:
        return {**found, "quote_id": str(charge.quote_id)}
    basis = charge.basis or {}
    minutes, rate = basis.get("billable_minutes", 0), basis.get("hourly_rate", "0.00")
    return {**found, "review": charge.review, "work_log": _work_log(charge.work_log), "pricing": {
        **basis, "minimum_applied": basis.get("minimum_minutes", 0) > basis.get("off_hours_minutes", 0),
        "rounding": ROUNDING,
        "computation": f"{minutes} min × ${rate}/h ÷ 60 = {money(charge.amount)}"}}


def _work_log(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    keep = ("engineer", "start", "end", "minutes", "off_hours_minutes", "note")
    return [{k: entry.get(k) for k in keep} for entry in entries]
