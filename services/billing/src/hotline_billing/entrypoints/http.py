"""Billing over HTTP: charges of a ticket and each amount explained, invoices (JSON, CSV or
text), P4 quotes, closing a month.

Reading needs `billing:read` (auditors, admins); writing `billing:write` (admins). A refusal
answers in the one shape with its reason: unknown ticket, quote, charge or invoice 404; a quote
for a ticket that is not P4, or one decided or expired already, 409. The caller is recorded as
the actor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal, TypeVar
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, Field

from hotline.identity import guard, requires
from hotline.problems import Invalid, Problem, refusal
from hotline_billing import invoices
from hotline_billing.application import BillingApplication
from hotline_billing.domain.months import is_month
from hotline_billing.refusals import BillingRefusal

TICKET_NUMBER = r"^T-\d{6,}$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
AMOUNT = r"^\d{1,9}(\.\d{1,2})?$"
REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem}, 409: {"model": Problem}, 422: {"model": Invalid}}
T = TypeVar("T")


class QuoteRequest(BaseModel):
    """A fee for a Priority 4 request; the ticket's contact is sent it to approve."""

    ticket: str = Field(pattern=TICKET_NUMBER, examples=["T-000042"])
    amount: str = Field(pattern=AMOUNT, examples=["250.00"], description="USD, up to two decimals.")
    description: str = Field(min_length=1, max_length=2000, examples=["Configure a new VLAN"])


def billing_router(app: BillingApplication) -> APIRouter:
    router = APIRouter(tags=["billing"])

    @router.get("/charges", responses=REFUSALS)
    @requires("billing:read")
    async def charges(ticket: str = Query(pattern=TICKET_NUMBER, examples=["T-000042"])
                      ) -> list[dict[str, Any]]:
        """Every charge, credit and no-charge decision of a ticket, oldest first."""
        return await asyncio.to_thread(app.entries_of_ticket, ticket)

    @router.get("/charges/{charge_id}/explain", responses=REFUSALS)
    @requires("billing:read")
    async def explain(charge_id: UUID) -> dict[str, Any]:
        """What an amount was booked from: review outcome, work log, minimum, increment, rate
        and rounding (or the quote)."""
        return await _refusing(lambda: app.explain(charge_id))

    @router.get("/invoices/{customer}/{month}", responses={**REFUSALS, 200: {
        "description": "The invoice: JSON (`format=json`), CSV (`csv`: one row per line, then a "
        "`total` row) or text (`text`).",
        "content": {"application/json": {}, "text/csv": {}, "text/plain": {}}}})
    @requires("billing:read")
    async def invoice(customer: str, month: str = Path(pattern=MONTH),
                      format: Literal["json", "csv", "text"] = "json") -> Any:
        """A customer's invoice of a Pacific month: a draft while the month is open."""
        found = await _refusing(lambda: app.invoice(customer, month))
        if format == "csv":
            return PlainTextResponse(invoices.as_csv(found), media_type="text/csv")
        if format == "text":
            return PlainTextResponse(invoices.as_text(found))
        return invoices.as_json(found)

    @router.post("/invoices/{month}/close", responses=REFUSALS)
    @requires("billing:write")
    async def close_month(month: str, http: Request) -> dict[str, Any]:
        """Issue every customer's invoice of the month; they never change again."""
        if not is_month(month):
            raise refusal(422, "invalid_month", f"{month!r} is not a month (YYYY-MM)")
        return await _refusing(lambda: app.close_month(month, guard.actor(http)))

    @router.post("/quotes", status_code=status.HTTP_201_CREATED, responses=REFUSALS)
    @requires("billing:write")
    async def create_quote(request: QuoteRequest, http: Request) -> dict[str, Any]:
        """Quote a fee for a Priority 4 ticket; it expires unanswered after 30 days."""
        amount = Decimal(request.amount)
        if amount <= 0:
            raise refusal(422, "invalid_amount", "a quote's amount must be more than 0.00")
        return await _refusing(lambda: app.create_quote(
            request.ticket, amount, request.description, guard.actor(http)))

    @router.get("/quotes/{quote_id}", responses=REFUSALS)
    @requires("billing:read")
    async def quote(quote_id: UUID) -> dict[str, Any]:
        return await _refusing(lambda: app.quote(quote_id))

    for decision, verb in (("approved", "approve"), ("rejected", "reject")):
        _decision_route(router, app, decision, verb)
    return router


def _decision_route(router: APIRouter, app: BillingApplication, decision: str, verb: str) -> None:
    @requires("billing:write")
    async def endpoint(quote_id: UUID, http: Request) -> dict[str, Any]:
        return await _refusing(lambda: app.decide_quote(quote_id, decision, guard.actor(http)))

    endpoint.__name__ = f"{verb}_quote"
    endpoint.__doc__ = (f"The customer's word: {verb} the quote" +
                        (" (it becomes a charge)." if verb == "approve" else "."))
    router.post(f"/quotes/{{quote_id}}/{verb}", responses=REFUSALS)(endpoint)


async def _refusing(call: Callable[[], T]) -> T:
    try:
        return await asyncio.to_thread(call)
    except BillingRefusal as exc:
        raise refusal(exc.status, exc.reason, exc.detail) from None
