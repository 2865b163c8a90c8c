"""The agent console, `/console`: an agent signs in with their API token (`hotline tokens
create`), works a queue of open tickets sorted by time to breach, reads each ticket's whole
conversation (internal notes too), replies (public or internal) and moves it through its
lifecycle with buttons.

Each button is the API's command: the same application method, the same checks (a refusal is
shown with its sentence, status 409), the same events, with the agent recorded as actor.
Auditors may look but not act; customer tokens are refused here (they use `/portal`).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hotline.identity.roles import Role, allows
from hotline.sla import SlaPolicy
from hotline_intake.application import LIFECYCLE, TicketNotFound
from hotline_intake.domain.ticket import Ticket, TicketRuleViolation
from hotline_intake.portal.pages import (
    Pages,
    Refused,
    SignIn,
    anonymous_csrf,
    check_csrf,
    form_of,
    with_csrf_cookie,
)
from hotline_intake.portal.sessions import Session
from hotline_intake.portal.tickets import TicketFinder, clocks_of, queue
from hotline_intake.submissions import Submissions

BUTTONS = [c for c in LIFECYCLE if c not in ("priority", "rfo", "agree")]
"""Lifecycle commands that take no input beyond a note: one button each."""
AGENT_ROLES = {Role.AGENT.value, Role.REVIEWER.value, Role.ADMIN.value, Role.AUDITOR.value}
_NUMBER = re.compile(r"^T-\d{6,12}$")


def agent_router(pages: Pages, submissions: Submissions, finder: TicketFinder, policy: SlaPolicy,
                 settings: Any) -> APIRouter:
    router = APIRouter(prefix="/console", include_in_schema=False)
    app = submissions.app

    def signed_in(request: Request) -> Session:
        session = pages.session(request)
        if session is None or session.role not in AGENT_ROLES:
            raise SignIn("/console/login")
        return session

    def acting(request: Request, session: Session) -> None:
        if not allows(Role(session.role), "tickets:write"):
            raise Refused(403, "Read only", f"Your role ({session.role}) may read tickets but not change them.")

    async def ticket_of(number: str) -> Ticket:
        try:
            if _NUMBER.match(number):
                return await asyncio.to_thread(app.get_ticket, number)
        except TicketNotFound:
            pass
        raise Refused(404, "No such ticket", f"There is no ticket {number[:20]}.")

    @router.get("/login")
    async def login_form(request: Request) -> HTMLResponse:
        token = anonymous_csrf(request)
        return with_csrf_cookie(request, pages.render(request, "console_login.html.j2", csrf=token), token)

    @router.post("/login")
    async def sign_in(request: Request) -> Any:
        form = await form_of(request)
        check_csrf(request, None, form)
        authenticator = request.app.state.authenticator
        principal = authenticator.verify(str(form.get("token") or "").strip()[:200])
        if principal is None or principal.role.value not in AGENT_ROLES:
            token = anonymous_csrf(request)
            return with_csrf_cookie(request, pages.render(
                request, "console_login.html.j2", 401, csrf=token,
                error="That token is unknown, revoked, or not an agent's. Ask an admin for one "
                      "(`hotline tokens create --role agent`)."), token)
        return await pages.sign_in(request, name=principal.name, role=principal.role.value,
                                   customer=None, ttl=settings.portal_session_ttl, to="/console")

    @router.post("/logout")
    async def logout(request: Request) -> RedirectResponse:
        return await pages.sign_out(request, signed_in(request), "/console/login")

    async def _queue(request: Request, template: str) -> HTMLResponse:
        session = signed_in(request)
        now = pages.clock.now()
        rows = await asyncio.to_thread(queue, finder, policy, now, settings.console_queue_days)
        return pages.render(request, template, session=session, rows=rows,
                            days=settings.console_queue_days)

    @router.get("")
    async def queue_page(request: Request) -> HTMLResponse:
        return await _queue(request, "queue.html.j2")

    @router.get("/queue")
    async def queue_rows(request: Request) -> HTMLResponse:
        """The queue's rows alone: what the page's live update (htmx) swaps in."""
        return await _queue(request, "_queue_rows.html.j2")

    @router.get("/tickets/{number}")
    async def ticket_page(request: Request, number: str) -> HTMLResponse:
        session = signed_in(request)
        return await _ticket(request, session, await ticket_of(number))

    async def _ticket(request: Request, session: Session, ticket: Ticket, status: int = 200,
                      **context: Any) -> HTMLResponse:
        clocks = await asyncio.to_thread(clocks_of, app, ticket, policy, pages.clock.now())
        return pages.render(request, "ticket.html.j2", status, session=session, ticket=ticket,
                            clocks=clocks, conversation=list(getattr(ticket, "comments", ())),
                            console=True, buttons=BUTTONS, lifecycle=LIFECYCLE,
                            can_act=allows(Role(session.role), "tickets:write"), **context)

    @router.post("/tickets/{number}/reply")
    async def reply(request: Request, number: str) -> Any:
        session = signed_in(request)
        form = await form_of(request)
        check_csrf(request, session, form)
        acting(request, session)
        ticket = await ticket_of(number)
        text, internal = str(form.get("message") or ""), form.get("internal") == "1"
        if not text.strip() or len(text) > 65536:
            return await _ticket(request, session, ticket, 422, draft=text[:65536],
                                 error="Write a reply of 1 to 65,536 characters.")
        try:
            await asyncio.to_thread(app.reply, number, message=text, internal=internal,
                                    by=session.name, actor=session.actor())
        except TicketRuleViolation as violation:
            return await _ticket(request, session, ticket, 409, draft=text, error=violation.message)
        return RedirectResponse(f"/console/tickets/{number}#conversation", status_code=303)

    @router.post("/tickets/{number}/do/{command}")
    async def lifecycle(request: Request, number: str, command: str) -> Any:
        session = signed_in(request)
        form = await form_of(request)
        check_csrf(request, session, form)
        acting(request, session)
        ticket = await ticket_of(number)
        if command not in BUTTONS and command != "priority":
            raise Refused(404, "No such action", f"There is no action {command[:40]!r}.")
        arguments: dict[str, Any] = {}
        if command == "priority":
            value = str(form.get("priority") or "")
            if value not in ("1", "2", "3", "4"):
                return await _ticket(request, session, ticket, 422, error="Choose a priority 1–4.")
            arguments["priority"] = int(value)
        note = str(form.get("note") or "").strip()[:10_000] or None
        try:
            await asyncio.to_thread(app.change_ticket, number, command, by=session.name, note=note,
                                    actor=session.actor(), **arguments)
        except TicketRuleViolation as violation:
            return await _ticket(request, session, ticket, 409, error=violation.message)
        return RedirectResponse(f"/console/tickets/{number}", status_code=303)

    return router
