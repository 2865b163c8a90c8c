"""Intake's HTTP API: open, read and move tickets through their lifecycle (OpenAPI at
/openapi.json, /docs). A change that does not fit the ticket's state answers 409 with a reason.
Every route needs a token (`hotline.identity`): agents and admins change tickets, auditors
read; the caller is recorded as the actor of what it changes. `POST /tickets` takes an optional
`Idempotency-Key` header: the same key from the same caller answers with the ticket it opened
(`Idempotent-Replayed: true`) instead of opening another (`admission.Admission.request`)."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, FastAPI, Header, HTTPException, Path, Request, Response, status
from fastapi.responses import PlainTextResponse
from pydantic import AwareDatetime, BaseModel, EmailStr, Field

from hotline.identity import guard, requires
from hotline.problems import Invalid, Problem, refusal
from hotline.telemetry import current_trace_context

from hotline_intake.adapters.reply_text import latest_reply
from hotline_intake.application import LIFECYCLE, TicketNotFound
from hotline_intake.domain.ticket import Ticket, TicketRuleViolation
from hotline_intake.entrypoints.history_api import history_router
from hotline_intake.entrypoints.offhours_api import offhours_router
from hotline_intake.entrypoints.review_api import review_router
from hotline_intake.submissions import IdempotencyKeyReused, Opened, Replayed, Submissions

NUMBER = re.compile(r"^T-\d{6,}$")
IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,255}")
IDEMPOTENCY_KEY_DOC = (
    "Makes the request safe to retry (IETF draft \"The Idempotency-Key HTTP Header Field\"): a "
    "fresh unique value (e.g. a UUID) per new ticket, the same one on every retry of it. A key "
    "this caller (token) sent before, within HOTLINE_INTAKE_DUPLICATE_WINDOW (7 days), opens nothing new: "
    "the answer is the ticket it opened (201, `Idempotent-Replayed: true`), or 422 "
    "`idempotency_key_reused` when the request differs. 1–255 visible ASCII characters, else "
    "400 `invalid_idempotency_key`. A refused request keeps no key.")


ONE_LINE = r"^[^\x00-\x1f\x7f]+$"  # no control characters: it becomes an email's Subject


class TicketRequest(BaseModel):
    """A ticket submitted over HTTP, in the same terms as the email subject; or, with
    `channel: "phone"`, a telephone call an agent records (`caller` and `called_at` required)."""

    customer: str = Field(min_length=1, max_length=200, pattern=ONE_LINE, examples=["Acme Corp"])
    location: str = Field(min_length=1, max_length=200, pattern=ONE_LINE,
                          examples=["100 Main St, Springfield"])
    issue: str = Field(min_length=1, max_length=200, pattern=ONE_LINE,
                       description="One line, at most 200 characters, no control characters.",
                       examples=["No dial tone on all lines"])
    description: str = Field("", max_length=10 * 1024 * 1024,
                             description="Up to 10 MiB; over 64 KiB it is kept whole and events "
                             "carry a preview. Required for `http`; a telephone call may leave "
                             "it empty.", examples=["Since 09:10 every line is silent."])
    priority: int | None = Field(None, ge=1, le=4, description="1–4; omitted means 3.")
    contact: EmailStr | None = Field(
        None, max_length=254, description="A registered contact of the customer; the "
        "confirmation goes there. Required for `http`; for `phone`, omitted means the "
        "customer's first registered contact.")
    channel: Literal["http", "phone"] = Field(
        "http", description="`phone`: an agent records a customer's telephone call; the ticket "
        "is received at `called_at` (the response clock starts then).")
    caller: str | None = Field(None, max_length=200, description="`phone`, required: who called "
                               "(one line).", examples=["Jane Doe, Acme NOC"])
    callback: str | None = Field(None, max_length=40, description="`phone`: the number to call "
                                 "back, 3–40 characters of digits, spaces, +, - and parentheses.",
                                 examples=["+1 (555) 010-0100"])
    called_at: AwareDatetime | None = Field(
        None, description="`phone`, required: when the call came in; not later than now and at "
        "most HOTLINE_INTAKE_MAX_BACKDATE (default 15 min) before it, else 409 `in_future` or "
        "`too_far_back`.", examples=["2026-11-27T09:30:00-08:00"])


class AttachmentView(BaseModel):
    filename: str
    size: int
    content_type: str


class CommentView(BaseModel):
    """One message of the conversation."""

    comment_id: str
    at: datetime
    author: str
    author_kind: str = Field(description="`customer` or `agent`.")
    visibility: str = Field(description="`public` or `internal` (agents only).")
    channel: str = Field(description="`email` or `http`.")
    text: str = Field(description="For display: an emailed reply without its quoted history.")
    full_text: str = Field(description="As received or written, quoted history included.")
    text_truncated: bool = False
    attachments: list[AttachmentView] = Field(default_factory=list)
    message_id: str | None = None
    in_reply_to: str | None = None

    @classmethod
    def of(cls, comment: dict) -> CommentView:
        full = comment["text"]
        shown = latest_reply(full) if comment["channel"] == "email" else full
        return cls(
            comment_id=str(comment["comment_id"]), at=comment["at"], author=comment["author"],
            author_kind=comment["author_kind"], visibility=comment["visibility"],
            channel=comment["channel"], text=shown, full_text=full,
            text_truncated=comment["text_truncated"],
            attachments=[AttachmentView(**a) for a in comment["attachments"]],
            message_id=comment["message_id"], in_reply_to=comment["in_reply_to"])


class TicketView(BaseModel):
    id: str
    number: str
    status: str
    customer: str
    location: str
    issue: str
    description: str = Field(description="The whole description, or its first 64 KiB when "
                             "`description_truncated` (all of it: GET /tickets/{number}/description).")
    description_truncated: bool = False
    description_bytes: int | None = Field(None, description="Size of the whole description (UTF-8).")
    priority: int
    priority_defaulted: bool
    channel: str = Field(description="`email`, `http` or `phone`.")
    contact: str
    received_at: datetime
    off_hours: bool
    calendar_version: str
    attachments: list[AttachmentView]
    responded_at: datetime | None = None
    workaround_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    waiting_on_customer: bool = False
    rfo_delivered_at: datetime | None = None
    follow_up_of: str | None = Field(None, description="The closed ticket this one follows up.")
    caller: str | None = Field(None, description="Who called (channel `phone`).")
    callback: str | None = Field(None, description="The number to call back (channel `phone`).")
    conversation: list[CommentView] = Field(
        default_factory=list, description="Customer replies, agent replies and internal notes, "
        "in order.")
    agreed_target: datetime | None = Field(
        None, description="Priority 4: the date agreed with the customer (the latest agreement), "
        "the ticket's deadline.")
    agreement_quote: str | None = Field(None, description="The billing quote the agreement covers.")
    off_hours_requests: int = Field(0, description="Off-hours slots requested (GET "
                                    "/tickets/{number}/off-hours lists them).")

    @classmethod
    def of(cls, ticket: Ticket) -> TicketView:
        return cls(
            id=str(ticket.id), number=ticket.number, status=ticket.status,
            customer=ticket.customer, location=ticket.location, issue=ticket.issue,
            description=ticket.description,
            description_truncated=getattr(ticket, "description_truncated", False),
            description_bytes=getattr(ticket, "description_bytes", None), priority=ticket.priority,
            priority_defaulted=ticket.priority_defaulted, channel=ticket.channel,
            contact=ticket.contact, received_at=ticket.received_at, off_hours=ticket.off_hours,
            calendar_version=ticket.calendar_version,
            attachments=[AttachmentView(**a) for a in ticket.attachments],
            responded_at=ticket.responded_at, workaround_at=ticket.workaround_at,
            resolved_at=ticket.resolved_at, closed_at=ticket.closed_at,
            waiting_on_customer=ticket.waiting_on_customer,
            rfo_delivered_at=ticket.rfo_delivered_at,
            follow_up_of=getattr(ticket, "follow_up_of", None),
            caller=getattr(ticket, "caller", None), callback=getattr(ticket, "callback", None),
            conversation=[CommentView.of(c) for c in getattr(ticket, "comments", ())],
            **_agreement(ticket),
            off_hours_requests=len(getattr(ticket, "off_hours_requests", ())),
        )


def _agreement(ticket: Ticket) -> dict[str, Any]:
    agreements = getattr(ticket, "agreements", None)
    if not agreements:
        return {}
    quote = agreements[-1]["quote_id"]
    return {"agreed_target": agreements[-1]["target"], "agreement_quote": str(quote) if quote else None}


def ticket_router(submissions: Submissions) -> APIRouter:
    router = APIRouter(tags=["tickets"])

    @router.post(
        "/tickets", status_code=status.HTTP_201_CREATED, response_model=TicketView,
        responses={201: {"headers": {"Idempotent-Replayed": {
                       "description": "`true` when this answers a repeated Idempotency-Key: "
                       "the ticket that key opened, nothing new.", "schema": {"type": "string"}}}},
                   400: {"model": Problem, "description": "An Idempotency-Key that is not 1–255 "
                         "visible ASCII characters (`invalid_idempotency_key`)"},
                   422: {"model": Invalid, "description": "Not a ticket: the reason says why; "
                         "`idempotency_key_reused`: the key opened a ticket with a different "
                         "request"},
                   409: {"model": Problem, "description": "A telephone call's time is later "
                         "than now (`in_future`) or too far back (`too_far_back`)"}},
    )
    @requires("tickets:write")
    async def open_ticket(
        request: TicketRequest, http: Request, response: Response,
        idempotency_key: Annotated[str | None, Header(
            alias="Idempotency-Key", description=IDEMPOTENCY_KEY_DOC,
            examples=["8e03978e-40d5-43e8-bc93-6894a57f9324"])] = None,
    ) -> TicketView:
        """Open a ticket, or record a telephone call as one (`channel: "phone"`). Unknown
        customers, contacts or locations are refused with a reason. Safe to retry with an
        `Idempotency-Key`."""
        if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
            raise refusal(400, "invalid_idempotency_key", "the Idempotency-Key header must be "
                          f"1–255 visible ASCII characters (no spaces), not {len(idempotency_key)} "
                          "characters" + ("" if idempotency_key.isascii() else " with non-ASCII ones"))
        try:
            outcome = await submissions.receive_request(
                **request.model_dump(), actor=guard.actor(http), idempotency_key=idempotency_key)
        except TicketRuleViolation as violation:
            raise refusal(409, violation.reason, violation.message) from None
        except IdempotencyKeyReused as reused:
            raise refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, "idempotency_key_reused",
                          str(reused)) from None
        if isinstance(outcome, Replayed):
            response.headers["Idempotent-Replayed"] = "true"
        if isinstance(outcome, Opened | Replayed):
            return TicketView.of(outcome.ticket)
        raise refusal(status.HTTP_422_UNPROCESSABLE_CONTENT, outcome.reason, outcome.detail)

    @router.get("/tickets/{number}", response_model=TicketView,
                responses={404: {"model": Problem}, 400: {"model": Problem}})
    @requires("tickets:read")
    async def get_ticket(
        number: Annotated[str, Path(examples=["T-000001"])],
    ) -> TicketView:
        """One ticket, rebuilt from its events."""
        _check_number(number)
        try:
            ticket = await asyncio.to_thread(submissions.app.get_ticket, number)
        except TicketNotFound:
            raise _not_found(number) from None
        return TicketView.of(ticket)

    @router.get("/tickets/{number}/description", response_class=PlainTextResponse,
                responses={404: {"model": Problem}, 400: {"model": Problem},
                           200: {"content": {"text/plain": {"schema": {"type": "string"}}}}})
    @requires("tickets:read")
    async def get_description(number: Annotated[str, Path(examples=["T-000001"])]) -> PlainTextResponse:
        """A ticket's whole description, also when its events carry only the first 64 KiB."""
        _check_number(number)
        try:
            text = await asyncio.to_thread(submissions.app.full_description, number)
        except TicketNotFound:
            raise _not_found(number) from None
        return PlainTextResponse(text)

    @router.post("/tickets/{number}/priority", response_model=TicketView,
                 responses={404: {"model": Problem}, 409: {"model": Problem}})
    @requires("tickets:write")
    async def change_priority(number: str, request: PriorityChangeRequest, http: Request) -> TicketView:
        """Change the priority; SLA targets are recomputed from each clock's original start."""
        return await _change(number, "priority", request, http)

    async def _change(number: str, command: str, request: ChangeRequest, http: Request) -> TicketView:
        _check_number(number)
        try:
            ticket = await asyncio.to_thread(
                submissions.app.change_ticket, number, command, actor=guard.actor(http),
                trace_context=current_trace_context(), **request.model_dump(exclude_none=True))
        except TicketNotFound:
            raise _not_found(number) from None
        except TicketRuleViolation as violation:
            raise refusal(409, violation.reason, violation.message) from None
        return TicketView.of(ticket)

    @router.post("/tickets/{number}/rfo", response_model=TicketView, summary=LIFECYCLE["rfo"].summary,
                 responses={404: {"model": Problem}, 409: {"model": Problem}})
    @requires("tickets:write")
    async def deliver_rfo(number: str, http: Request, request: RfoRequest | None = None) -> TicketView:
        return await _change(number, "rfo", request or RfoRequest(), http)

    @router.post("/tickets/{number}/agree", response_model=TicketView, summary=LIFECYCLE["agree"].summary,
                 responses={404: {"model": Problem}, 409: {"model": Problem}})
    @requires("tickets:write")
    async def agree(number: str, request: AgreementRequest, http: Request) -> TicketView:
        """Record the date agreed with the customer for a Priority 4 request. It becomes the
        ticket's deadline (sla-timer's resolution clock, from now to `target`), with warnings and
        a breach like any clock; a later agreement supersedes it while its date has not passed."""
        return await _change(number, "agree", request, http)

    @router.post("/tickets/{number}/replies", response_model=TicketView,
                 responses={404: {"model": Problem}, 409: {"model": Problem}, 400: {"model": Problem}})
    @requires("tickets:write")
    async def reply(number: str, request: ReplyRequest, http: Request) -> TicketView:
        """An agent's reply to the customer (public) or an internal note (`internal: true`,
        never shown to the customer); a closed ticket takes internal notes only."""
        _check_number(number)
        try:
            ticket = await asyncio.to_thread(
                submissions.app.reply, number, message=request.message, internal=request.internal,
                by=request.by, actor=guard.actor(http), trace_context=current_trace_context())
        except TicketNotFound:
            raise _not_found(number) from None
        except TicketRuleViolation as violation:
            raise refusal(409, violation.reason, violation.message) from None
        return TicketView.of(ticket)

    for command, lifecycle in LIFECYCLE.items():
        if command not in ("priority", "rfo", "agree"):  # they take bodies of their own, above
            _lifecycle_route(router, command, lifecycle.summary, _change)
    return router


class ChangeRequest(BaseModel):
    """A lifecycle change. `at` defaults to now; it may not be later than now nor earlier
    than the ticket's last change."""

    at: AwareDatetime | None = Field(None, examples=["2026-11-27T09:30:00-08:00"])
    by: str | None = Field(None, max_length=200, examples=["agent@hotline.example"])
    note: str | None = Field(None, max_length=10_000)


class ReplyRequest(BaseModel):
    """An agent's reply or internal note."""

    message: str = Field(min_length=1, max_length=65536, pattern=r"\S",
                         description="The text (Markdown or plain), 1–65536 characters.")
    internal: bool = Field(False, description="An internal note: agents only, never emailed.")
    by: str | None = Field(None, min_length=1, max_length=200, pattern=ONE_LINE,
                           examples=["alice@hotline.example"],
                           description="Who wrote it (default: the token's name).")


class PriorityChangeRequest(ChangeRequest):
    priority: int = Field(ge=1, le=4)


class AgreementRequest(ChangeRequest):
    target: AwareDatetime = Field(description="The agreed date: the P4's deadline.",
                                  examples=["2026-12-18T17:00:00-08:00"])
    quote_id: UUID | None = Field(None, description="A fee quote from billing the agreement covers.")


class RfoRequest(ChangeRequest):
    text: str | None = Field(None, min_length=1, max_length=65536, description=(
        "The Reason for Outage. Given, Hotline emails it to the customer's contact and the RFO "
        "clock stops when it is sent; omitted, it was delivered otherwise, at `at`."))




def _lifecycle_route(router: APIRouter, command: str, summary: str, change) -> None:
    @requires("tickets:write")
    async def endpoint(number: str, http: Request, request: ChangeRequest | None = None) -> TicketView:
        return await change(number, command, request or ChangeRequest(), http)

    endpoint.__name__ = command.replace("-", "_")
    router.post(f"/tickets/{{number}}/{command}", response_model=TicketView, summary=summary,
                responses={404: {"model": Problem}, 409: {"model": Problem}})(endpoint)


def _not_found(number: str) -> HTTPException:
    return refusal(404, "not_found", f"no ticket {number}")


def _check_number(number: str) -> None:
    if not NUMBER.match(number):
        raise refusal(400, "bad_ticket_number", "ticket numbers look like T-000042")


def create_http_app(submissions: Submissions, directory_router: APIRouter) -> FastAPI:
    app = FastAPI(
        title="Hotline intake",
        version="1.0.0",
        description="Open and read support tickets; read the customer directory.",
    )
    app.include_router(ticket_router(submissions))
    app.include_router(review_router(submissions.app))
    app.include_router(offhours_router(submissions.app))
    app.include_router(directory_router)
    app.include_router(history_router(submissions.app))
    return app
