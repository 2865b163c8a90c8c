"""sla-timer's audit and report API.

- `POST /audit/recompute` (auditors and admins: `read:all`): every SLA outcome recomputed from
  the recorded ticket changes under the recorded policy and calendar versions, or under the
  `policy` given ("what if it had been in force"), and each difference from what was published
  (`hotline_sla_timer.recompute`). It changes nothing. `tickets` null: every ticket.
- `GET /reports/sla?customer=&month=&format=json|html` (`sla:read`): a customer's monthly SLA
  report (`hotline_sla_timer.sla_report`); the HTML page is self-contained.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from hotline.identity import requires
from hotline.problems import Invalid, Problem, refusal
from hotline.sla.availability import Month
from hotline.sla.policy_file import PolicyFile
from hotline_sla_timer import recompute
from hotline_sla_timer.sla_report import figures, page

NUMBER = r"^T-\d{6,}$"


class RecomputeRequest(BaseModel):
    tickets: list[Annotated[str, Field(pattern=NUMBER)]] | None = Field(
        None, max_length=10_000, examples=[["T-000042"]], description="Default (null): every ticket.")
    policy: PolicyFile | None = Field(  # type: ignore[valid-type]
        None, description="A what-if policy (`SlaSettings` fields; omitted ones take the contract's "
        "defaults). Default (null): each ticket's recorded policy.")
    grace_seconds: int = Field(
        60, ge=0, le=86_400, description="A threshold reached this recently and not fired yet is "
        "owed (the firing loop is on it), not a difference.")


def audit_router(app: Any) -> APIRouter:
    router = APIRouter(tags=["audit"])

    @router.post("/audit/recompute", summary="Recompute SLA outcomes; report each difference "
                 "from what was published (changes nothing)",
                 responses={404: {"model": Problem}, 422: {"model": Invalid}})
    @requires("read:all")
    async def recompute_outcomes(body: RecomputeRequest) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            return recompute.recompute(app, body.tickets, body.policy,
                                       timedelta(seconds=body.grace_seconds)).as_json()
        try:
            return await asyncio.to_thread(run)
        except recompute.UnknownTickets as unknown:
            raise refusal(404, "unknown_ticket", f"sla-timer has no clocks for {unknown}") from None

    @router.get("/reports/sla", summary="A customer's monthly SLA report: every ticket's clocks, "
                "the percentage met per priority and per clock",
                responses={200: {"content": {"text/html": {"schema": {"type": "string"}}}},
                           422: {"model": Invalid}})
    @requires("sla:read")
    async def sla_report(customer: str = Query(..., min_length=1, max_length=200, examples=["Acme Corp"]),
                         month: str = Query(..., examples=["2026-11"]),
                         format: Literal["json", "html"] = Query("json")) -> Any:
        try:
            wanted = Month.parse(month)
        except ValueError as exc:
            raise refusal(422, "bad_month", str(exc)) from None
        report = await asyncio.to_thread(figures.month_report, app, customer, wanted)
        if format == "html":
            return HTMLResponse(await asyncio.to_thread(page.render, report))
        return report.as_json()

    return router

