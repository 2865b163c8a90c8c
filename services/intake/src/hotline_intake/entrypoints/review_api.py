"""Outage reviews over HTTP: open one by hand, log work, record the outcome, read it.

Agents open reviews and log work (`tickets:write`); only reviewers and admins record outcomes
(`reviews:write`); agents, reviewers, auditors and admins read them. A command that does not
fit answers 409 with a reason; an unknown ticket, or a ticket without a review, 404."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, status
from pydantic import AwareDatetime, BaseModel, EmailStr, Field

from hotline.identity import guard, requires
from hotline.problems import Problem, refusal
from hotline_intake.application import IntakeApplication, TicketNotFound
from hotline_intake.domain.review import NOTE_MAX, REASON_MAX, OutageReview
from hotline_intake.domain.offhours import requests_of
from hotline_intake.domain.ticket import Ticket, TicketRuleViolation
from hotline_intake.entrypoints.offhours_api import OffHoursRequestView
from hotline_intake.entrypoints.offhours_api import WorkEntryView as WorkLogView
from hotline_intake.reviews import NoReview

ONE_LINE = r"^[^\x00-\x1f\x7f]+$"
Outcome = Literal["provider-at-fault", "customer-equipment", "customer-configuration",
                  "third-party", "carrier", "undetermined"]


class OpenReviewRequest(BaseModel):
    note: str | None = Field(None, max_length=NOTE_MAX, description="Why it is reviewed.")


class WorkLogRequest(BaseModel):
    """One engineer's work on the ticket."""

    start: AwareDatetime = Field(examples=["2026-11-28T02:10:00-08:00"])
    end: AwareDatetime = Field(examples=["2026-11-28T04:40:00-08:00"])
    by: EmailStr = Field(max_length=254, description="The engineer's e-mail address.",
                         examples=["alice@hotline.example"])
    note: str = Field(min_length=1, max_length=NOTE_MAX, pattern=r"\S",
                      examples=["Replaced the failed line card"])


class OutcomeRequest(BaseModel):
    outcome: Outcome
    reason: str = Field(min_length=1, max_length=REASON_MAX, pattern=r"\S",
                        examples=["The customer's PBX power supply failed"])


class OutcomeView(BaseModel):
    revision: int
    outcome: str
    reason: str
    recorded_at: datetime
    actor: dict[str, str] | None = None


class ReviewView(BaseModel):
    review_id: str
    ticket: str
    customer: str
    opened_at: datetime
    because: str = Field(description="p1-off-hours, raised-to-p1-off-hours or by-hand.")
    work_log: list[WorkLogView]
    off_hours_minutes: int
    outcome: OutcomeView | None = Field(None, description="The standing outcome (the latest).")
    superseded: list[OutcomeView] = Field(default_factory=list, description="Earlier outcomes.")

    @classmethod
    def of(cls, review: OutageReview) -> ReviewView:
        outcomes = [OutcomeView(**o) for o in review.outcomes]
        return cls(
            review_id=str(review.id), ticket=review.number, customer=review.customer,
            opened_at=review.opened_at, because=review.because,
            work_log=[WorkLogView(**{**entry, "entry_id": str(entry["entry_id"])})
                      for entry in review.work_log],
            off_hours_minutes=review.off_hours_minutes,
            outcome=outcomes[-1] if outcomes else None, superseded=outcomes[:-1])


def review_router(app: IntakeApplication) -> APIRouter:
    router = APIRouter(tags=["outage reviews"])
    answers: dict[int | str, dict[str, Any]] = {404: {"model": Problem}, 409: {"model": Problem}}

    async def run(number: str, command: Any, **arguments: Any) -> Any:
        try:
            done = await asyncio.to_thread(command, number, **arguments)
            if isinstance(done, Ticket):  # work logged in an accepted off-hours slot
                return OffHoursRequestView.of(done, _last_worked(done))
            return ReviewView.of(done)
        except TicketNotFound:
            raise refusal(404, "not_found", f"no ticket {number}") from None
        except NoReview:
            raise refusal(404, "no_review", f"{number} has no outage review") from None
        except TicketRuleViolation as violation:
            raise refusal(409, violation.reason, violation.message) from None

    @router.get("/tickets/{number}/review", response_model=ReviewView, responses=answers)
    @requires("tickets:read")
    async def show_review(number: str) -> ReviewView:
        """The ticket's outage review: its work log with each entry's off-hours minutes, and
        its outcome with those it superseded."""
        return await run(number, app.get_review)

    @router.post("/tickets/{number}/review", response_model=ReviewView, responses=answers,
                 status_code=status.HTTP_201_CREATED)
    @requires("tickets:write")
    async def open_review(number: str, http: Request, request: OpenReviewRequest | None = None) -> ReviewView:
        """Open an outage review by hand (a P1 in Off Hours opens its own)."""
        return await run(number, app.open_review, note=(request or OpenReviewRequest()).note,
                         actor=guard.actor(http))

    @router.post("/tickets/{number}/worklog", response_model=ReviewView | OffHoursRequestView,
                 responses=answers, status_code=status.HTTP_201_CREATED)
    @requires("tickets:write")
    async def log_work(number: str, request: WorkLogRequest, http: Request) -> ReviewView | OffHoursRequestView:
        """Log an engineer's work; entries of one engineer may not overlap. Against the
        ticket's outage review (answers the review); on a ticket without one, against the
        accepted off-hours slot that holds the entry (answers that request)."""
        return await run(number, app.log_work, start=request.start, end=request.end,
                         engineer=str(request.by), note=request.note, actor=guard.actor(http))

    @router.post("/tickets/{number}/review/outcome", response_model=ReviewView, responses=answers,
                 status_code=status.HTTP_201_CREATED)
    @requires("reviews:write")
    async def record_outcome(number: str, request: OutcomeRequest, http: Request) -> ReviewView:
        """Record the review's outcome after the ticket's resolution (reviewers); recording
        again supersedes it."""
        return await run(number, app.record_review, outcome=request.outcome, reason=request.reason,
                         actor=guard.actor(http))

    return router


def _last_worked(ticket: Ticket) -> dict[str, Any]:
    """The off-hours request whose work log grew last (the one just logged against)."""
    return max((r for r in requests_of(ticket) if r["work_log"]),
               key=lambda r: r["work_log"][-1]["logged_at"])
