"""sla-timer's availability API: outage records (agents: `outages:write`), monthly figures
(`sla:read`) and closing a month (`availability:close`: admins). A refusal answers with its
reason: unknown ticket or outage 404, a P3/P4 ticket, an ended outage, an unfinished month 409."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import AwareDatetime, BaseModel, Field

from hotline.identity import guard, requires
from hotline.problems import Invalid, Problem, refusal
from hotline.sla.availability import CAUSES, Month
from hotline_sla_timer.availability import Refused
from hotline_sla_timer.domain.outages import ServiceOutage

NUMBER = re.compile(r"^T-\d{6,}$")
REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem}, 409: {"model": Problem}, 422: {"model": Invalid}}
Cause = Literal[CAUSES]  # type: ignore[valid-type]


class OutageRequest(BaseModel):
    service_class: Literal["core", "supporting"] = Field(alias="class")
    cause: Cause
    starts_at: AwareDatetime | None = Field(None, description="Default: the ticket's opening.")
    ends_at: AwareDatetime | None = Field(
        None, description="Default: the ticket's first work-around or resolution (none yet: open).")
    customers: list[str] | None = Field(None, max_length=1000, examples=[["Acme Corp"], ["all"]],
                                        description='Default: the ticket\'s customer; ["all"]: every one.')


class EndRequest(BaseModel):
    at: AwareDatetime


def outage_view(outage: ServiceOutage) -> dict[str, Any]:
    return {"id": str(outage.id), "ticket_number": outage.ticket_number, "priority": outage.priority,
            "class": outage.service_class, "cause": outage.cause,
            "starts_at": outage.starts_at.isoformat(),
            "ends_at": outage.ends_at.isoformat() if outage.ends_at else None,
            "customers": outage.customers, "all_customers": outage.all_customers,
            "version": outage.version}


async def _refusing(call: Callable[[], Any]) -> Any:
    try:
        return await asyncio.to_thread(call)
    except Refused as refused:
        raise refusal(refused.status, refused.reason, refused.detail) from None


def _number(number: str) -> str:
    if not NUMBER.match(number):
        raise refusal(422, "bad_number", f"{number!r} is not a ticket number like T-000042")
    return number


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise refusal(422, "bad_month", str(exc)) from None


def availability_router(app: Any) -> APIRouter:
    router = APIRouter(tags=["availability"])

    @router.post("/outages/{number}", responses=REFUSALS, status_code=status.HTTP_200_OK,
                 summary="Mark a P1 or P2 ticket as a service outage (again: correct it)")
    @requires("outages:write")
    async def record(number: str, body: OutageRequest, http: Request) -> dict[str, Any]:
        _number(number)
        outage = await _refusing(lambda: app.record_outage(
            number, body.service_class, body.cause, starts_at=body.starts_at, ends_at=body.ends_at,
            customers=body.customers, actor=guard.actor(http)))
        return outage_view(outage)

    @router.post("/outages/{number}/end", responses=REFUSALS, summary="End an outage still open")
    @requires("outages:write")
    async def end(number: str, body: EndRequest, http: Request) -> dict[str, Any]:
        _number(number)
        return outage_view(await _refusing(lambda: app.end_outage(number, body.at, guard.actor(http))))

    @router.get("/outages/{number}", responses=REFUSALS, summary="A ticket's outage record")
    @requires("sla:read")
    async def show(number: str) -> dict[str, Any]:
        return outage_view(await _refusing(lambda: app.outage(_number(number))))

    @router.get("/availability", responses=REFUSALS,
                summary="A month's availability figures, one entry per customer and class")
    @requires("sla:read")
    async def figures(month: str = Query(..., examples=["2026-12"]),
                      customer: str | None = Query(None, max_length=200)) -> list[dict[str, Any]]:
        wanted = _month(month)

        def read() -> list[dict[str, Any]]:
            return [{**f.as_json(), "reported": app.reported(f.customer, f.service_class, wanted)}
                    for f in app.figures(wanted, customer)]

        return await _refusing(read)

    @router.post("/availability/{month}/close", responses=REFUSALS,
                 summary="Close a month: publish its availability per customer and class, once")
    @requires("availability:close")
    async def close(month: str) -> dict[str, Any]:
        wanted = _month(month)
        reports = await _refusing(lambda: app.close_month(wanted))
        return {"month": str(wanted), "reported": [
            {"customer": r.customer, "class": r.service_class, "met": r.figure["met"],
             "availability": r.figure["availability"]} for r in reports]}

    return router
