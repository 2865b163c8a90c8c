"""Intake's HTTP API: tickets and the customer directory (OpenAPI at /openapi.json, /docs)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Path, status
from pydantic import BaseModel, EmailStr, Field

from hotline_intake.application import TicketNotFound
from hotline_intake.domain.ticket import Ticket
from hotline_intake.submissions import Opened, Submissions

NUMBER = re.compile(r"^T-\d{6,}$")


class TicketRequest(BaseModel):
    """A ticket submitted over HTTP, in the same terms as the email subject."""

    customer: str = Field(min_length=1, examples=["Acme Corp"])
    location: str = Field(min_length=1, examples=["100 Main St, Springfield"])
    issue: str = Field(min_length=1, examples=["No dial tone on all lines"])
    description: str = Field(min_length=1, examples=["Since 09:10 every line is silent."])
    priority: int | None = Field(None, ge=1, le=4, description="1–4; omitted means 3.")
    contact: EmailStr = Field(description="A registered contact of the customer.")


class AttachmentView(BaseModel):
    filename: str
    size: int
    content_type: str


class TicketView(BaseModel):
    id: str
    number: str
    status: str
    customer: str
    location: str
    issue: str
    description: str
    priority: int
    priority_defaulted: bool
    channel: str
    contact: str
    received_at: datetime
    off_hours: bool
    calendar_version: str
    attachments: list[AttachmentView]

    @classmethod
    def of(cls, ticket: Ticket) -> TicketView:
        return cls(
            id=str(ticket.id), number=ticket.number, status=ticket.status,
            customer=ticket.customer, location=ticket.location, issue=ticket.issue,
            description=ticket.description, priority=ticket.priority,
            priority_defaulted=ticket.priority_defaulted, channel=ticket.channel,
            contact=ticket.contact, received_at=ticket.received_at, off_hours=ticket.off_hours,
            calendar_version=ticket.calendar_version,
            attachments=[AttachmentView(**a) for a in ticket.attachments],
        )


class Problem(BaseModel):
    reason: str
    detail: str


def ticket_router(submissions: Submissions) -> APIRouter:
    router = APIRouter(tags=["tickets"])

    @router.post(
        "/tickets", status_code=status.HTTP_201_CREATED, response_model=TicketView,
        responses={422: {"model": Problem, "description": "Not a ticket: the reason says why"}},
    )
    async def open_ticket(request: TicketRequest) -> TicketView:
        """Open a ticket. Unknown customers, contacts or locations are refused with a reason."""
        outcome = await submissions.receive_request(**request.model_dump())
        if isinstance(outcome, Opened):
            return TicketView.of(outcome.ticket)
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY,
                            detail={"reason": outcome.reason, "detail": outcome.detail})

    @router.get("/tickets/{number}", response_model=TicketView,
                responses={404: {"model": Problem}, 400: {"model": Problem}})
    async def get_ticket(
        number: Annotated[str, Path(examples=["T-000001"])],
    ) -> TicketView:
        """One ticket, rebuilt from its events."""
        if not NUMBER.match(number):
            raise HTTPException(400, detail={"reason": "bad_ticket_number",
                                             "detail": "ticket numbers look like T-000042"})
        try:
            ticket = await asyncio.to_thread(submissions.app.get_ticket, number)
        except TicketNotFound:
            raise HTTPException(404, detail={"reason": "not_found",
                                             "detail": f"no ticket {number}"}) from None
        return TicketView.of(ticket)

    return router


def create_http_app(submissions: Submissions, directory_router: APIRouter) -> FastAPI:
    app = FastAPI(
        title="Hotline intake",
        version="1.0.0",
        description="Open and read support tickets; read the customer directory.",
    )
    app.include_router(ticket_router(submissions))
    app.include_router(directory_router)
    return app
