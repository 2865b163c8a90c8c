"""Review outcomes (`hotline.review.recorded.v1`): each revision is priced once.

A revision higher than the last one priced credits the charge the earlier one booked (if any),
then books a charge or a no-charge decision; a lower or equal revision arriving late changes
nothing. Ids derive from the review and revision, so the same outcome seen twice, or by two
instances, cannot book twice.
"""

from __future__ import annotations

from typing import Any

from hotline.contracts import ReviewRecorded
from hotline.contracts.envelope import CloudEvent
from hotline_billing.domain.account import TicketAccount
from hotline_billing.domain.entries import NoChargeDecision
from hotline_billing.domain.ids import no_charge_id, review_charge_id
from hotline_billing.domain.pricing import Tariff, money, verdict
from hotline_billing.ledger import book_charge, book_credit
from hotline_billing.unit import UnitOfWork

REVIEW_FIELDS = ("review_id", "revision", "outcome", "provider_at_fault", "reason", "recorded_at",
                 "priority", "off_hours_minutes", "calendar_version")


def apply(app: Any, uow: UnitOfWork, event: CloudEvent) -> None:
    data = event.data
    if not isinstance(data, ReviewRecorded):
        return
    account = uow.get(data.ticket_id) or uow.add(TicketAccount(
        ticket_id=data.ticket_id, number=data.ticket_number, customer=data.customer))
    if data.revision <= account.review_revision:
        return  # superseded already: a late or repeated outcome
    now = app.clock.now()
    credit = None
    if account.active_charge is not None:
        earlier = uow.get(account.active_charge)
        credit = book_credit(uow, earlier, f"review revision {data.revision} supersedes revision "
                             f"{earlier.review['revision']}", now)
    review = data.model_dump(mode="json", include=set(REVIEW_FIELDS))
    work_log = [entry.model_dump(mode="json") for entry in data.work_log]
    decided = verdict(data.outcome, data.provider_at_fault, data.reason, data.off_hours_minutes,
                      app.tariff)
    charge = decision = None
    if decided.charged and decided.price is not None:
        charge = book_charge(
            uow, review_charge_id(data.review_id, data.revision), ticket_id=data.ticket_id,
            ticket_number=data.ticket_number, customer=data.customer, kind="off-hours-support",
            amount=decided.price.amount, booked_at=now,
            description=_description(decided.price.billable_minutes, app.tariff, data),
            basis=_basis(decided.price.billable_minutes, app.tariff, data),
            review=review, work_log=work_log)
    else:
        decision = uow.add(NoChargeDecision(
            decision_id=no_charge_id(data.review_id, data.revision), ticket_id=data.ticket_id,
            ticket_number=data.ticket_number, customer=data.customer, review_revision=data.revision,
            outcome=data.outcome, reason=decided.reason, booked_at=now, review=review,
            work_log=work_log))
    account.review_priced(data.revision, credit.id if credit else None,
                          charge.id if charge else None, decision.id if decision else None)


def _basis(billable: int, tariff: Tariff, data: ReviewRecorded) -> dict[str, Any]:
    return {"off_hours_minutes": data.off_hours_minutes, "minimum_minutes": tariff.minimum_minutes,
            "increment_minutes": tariff.increment_minutes, "billable_minutes": billable,
            "hourly_rate": money(tariff.hourly_rate), "review_revision": data.revision,
            "outcome": data.outcome}


def _description(billable: int, tariff: Tariff, data: ReviewRecorded) -> str:
    return (f"Off-hours support: {billable} min at ${money(tariff.hourly_rate)}/h "
            f"(review revision {data.revision}: {data.outcome})")
