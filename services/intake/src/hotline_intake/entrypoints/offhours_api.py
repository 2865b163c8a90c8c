"""Scheduled off-hours work over HTTP: request a slot on a ticket, list a ticket's requests, and
the NOC's decision.

Agents (the NOC staff) request slots, accept and decline them (`tickets:write`); agents,
reviewers, auditors and admins read them. A customer's contact requests a slot by email instead
(a reply with `Off-hours: <start> to <end>`). A request that does not fit answers 409 with a
reason; an unknown ticket or request, 404. Nothing here changes a ticket's SLA clocks.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, status
from pydantic import AwareDatetime, BaseModel, Field

from hotline.identity import guard, requires
from hotline.problems import Problem, refusal
from hotline.telemetry import current_trace_context
from hotline_intake.application import IntakeApplication, TicketNotFound
from hotline_intake.domain import offhours
from hotline_intake.domain.ticket import Ticket, TicketRuleViolation

ONE_LINE = r"^[^\x00-\x1f\x7f]+$"


class OffHoursRequestBody(BaseModel):
    """A slot of off-hours work asked of the NOC."""

    start: AwareDatetime = Field(examples=["2026-12-05T20:00:00-08:00"])
    end: AwareDatetime = Field(examples=["2026-12-05T23:00:00-08:00"])
    requested_by: str | None = Field(
        None, min_length=1, max_length=320, pattern=ONE_LINE, examples=["noc@acme.example"],
        description="Who asks (the customer's contact on the phone, say); default the token's name.")
    note: str | None = Field(None, max_length=2000, examples=["Swap the PBX during the night"])


class DecisionBody(BaseModel):
    reason: str | None = Field(None, max_length=offhours.REASON_MAX,
                               description="Why (required to decline).",
                               examples=["No engineer free that night"])


class WorkEntryView(BaseModel):
    """One engineer's work-log entry (an outage review's, or an off-hours slot's)."""

    entry_id: str
    engineer: str
    start: datetime
    end: datetime
    note: str
    minutes: int
    off_hours_minutes: int = Field(description="The part outside Standard Support Hours.")
    logged_at: datetime


class OffHoursRequestView(BaseModel):
    request_id: str = Field(examples=["OH-000042-1"])
    ticket: str
    start: datetime
    end: datetime
    off_hours_minutes: int = Field(description="The slot's part outside Standard Support Hours.")
    status: str = Field(description="requested, accepted or declined.")
    requested_by: str
    channel: str
    requested_at: datetime
    note: str | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    work_log: list[WorkEntryView] = Field(default_factory=list)

    @classmethod
    def of(cls, ticket: Ticket, request: dict[str, Any]) -> OffHoursRequestView:
        work = [WorkEntryView(**{**e, "entry_id": str(e["entry_id"])}) for e in request["work_log"]]
        return cls(ticket=ticket.number, **{**request, "work_log": work})


def offhours_router(app: IntakeApplication) -> APIRouter:
    router = APIRouter(tags=["off-hours scheduling"])
    answers: dict[int | str, dict[str, Any]] = {404: {"model": Problem}, 409: {"model": Problem}}

    async def run(command: Any, *arguments: Any, **keywords: Any) -> Any:
        try:
            return await asyncio.to_thread(command, *arguments, **keywords)
        except TicketNotFound as missing:
            raise refusal(404, "not_found", f"no ticket {missing}") from None
        except TicketRuleViolation as violation:
            status_code = 404 if violation.reason in ("no_request", "bad_request_id") else 409
            raise refusal(status_code, violation.reason, violation.message) from None

    @router.get("/tickets/{number}/off-hours", response_model=list[OffHoursRequestView],
                responses=answers)
    @requires("tickets:read")
    async def list_requests(number: str) -> list[OffHoursRequestView]:
        """The ticket's off-hours requests, in the order asked, with their decisions."""
        ticket = await run(app.get_ticket, number)
        return [OffHoursRequestView.of(ticket, r) for r in offhours.requests_of(ticket)]

    @router.post("/tickets/{number}/off-hours", response_model=OffHoursRequestView,
                 responses=answers, status_code=status.HTTP_201_CREATED)
    @requires("tickets:write")
    async def request_slot(number: str, body: OffHoursRequestBody, http: Request) -> OffHoursRequestView:
        """Ask the NOC for an off-hours slot on a Priority 2–4 ticket (P1 needs none). The slot
        starts in the future, within 90 days, spans at most 24 h and lies at least partly
        outside Standard Support Hours. The ticket's SLA clocks do not change."""
        actor = guard.actor(http)
        ticket, request = await run(
            app.request_off_hours, number, start=body.start, end=body.end,
            requested_by=body.requested_by or (actor or {}).get("name") or "agent", note=body.note,
            actor=actor, trace_context=current_trace_context())
        return _view(ticket, request)

    for verb, accept in (("accept", True), ("decline", False)):
        _decision_route(router, app, verb, accept, run, answers)
    return router


def _decision_route(router: APIRouter, app: IntakeApplication, verb: str, accept: bool, run: Any,
                    answers: dict[int | str, dict[str, Any]]) -> None:
    @requires("tickets:write")
    async def decide(request_id: str, http: Request, body: DecisionBody | None = None) -> OffHoursRequestView:
        ticket = await run(app.decide_off_hours, request_id, accept=accept,
                           reason=(body or DecisionBody()).reason, actor=guard.actor(http),
                           trace_context=current_trace_context())
        return _view(ticket, request_id)

    decide.__name__ = f"{verb}_request"
    decide.__doc__ = ("The NOC accepts the request: the work is scheduled; the customer is told."
                      if accept else "The NOC declines the request, with its reason; the "
                      "customer is told.")
    router.post(f"/off-hours/{{request_id}}/{verb}", response_model=OffHoursRequestView,
                responses=answers)(decide)


def _view(ticket: Ticket, request_id: str) -> OffHoursRequestView:
    found = next(r for r in offhours.requests_of(ticket) if r["request_id"] == request_id)
    return OffHoursRequestView.of(ticket, found)
