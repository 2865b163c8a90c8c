"""The customer portal, `/portal`: a customer's contact signs in with an emailed one-time link,
follows their customer's tickets (status, priority, clocks in their time zone, conversation, SLA
timeline), opens tickets with a form and replies on them.

Every action is the same use case as email and the API: a ticket opened here is validated by
the same rules and becomes the same `TicketOpened` (channel `portal`) and confirmation; a reply
is the same comment as an emailed reply (channel `portal`). Another customer's ticket answers
404, as an unknown one does, so ticket numbers are not confirmed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any
from zoneinfo import ZoneInfo

import aiosmtplib
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from hotline.sla import SlaPolicy
from hotline_intake.application import TicketNotFound
from hotline_intake.domain.fields import DESCRIPTION_MAX_BYTES, FILENAME_MAX, ISSUE_MAX
from hotline_intake.domain.ticket import Ticket, TicketRuleViolation
from hotline_intake.portal.mailer import LinkMailer
from hotline_intake.portal.pages import (
    Pages,
    Refused,
    SignIn,
    anonymous_csrf,
    check_csrf,
    form_of,
    with_csrf_cookie,
)
from hotline_intake.portal.sessions import LinkState, Session
from hotline_intake.portal.tickets import TicketFinder, clocks_of
from hotline_intake.submissions import Opened, Submissions

log = logging.getLogger(__name__)
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}$")
PRIORITIES = {
    1: "Outage of all the customer's lines of service: no dial tone, cannot register, no calls "
       "complete. Response within 4 hours, around the clock.",
    2: "Partial outage on one or more lines: calls to some areas fail, the web interface or a "
       "platform is down or misbehaves. Response within 8 support hours.",
    3: "Day-to-day account issues: access, password renewal and the like (the default). Response "
       "within 24 support hours.",
    4: "Portal or feature change requests, special development: may incur fees you approve; "
       "answered when commercially feasible, on a date agreed with you.",
}
REPLY_MAX = 65536


def customer_router(pages: Pages, submissions: Submissions, finder: TicketFinder, mailer: LinkMailer,
                    policy: SlaPolicy, settings: Any) -> APIRouter:
    router = APIRouter(prefix="/portal", include_in_schema=False)
    app = submissions.app

    def signed_in(request: Request) -> Session:
        session = pages.session(request)
        if session is None or not session.is_customer or not session.customer:
            raise SignIn("/portal/login")
        return session

    def zone_of(session: Session) -> ZoneInfo:
        customer = submissions.directory.find_customer(session.customer or "")
        contact = submissions.directory.contact(customer, session.name) if customer else None
        name = getattr(contact, "time_zone", None)
        return ZoneInfo(name) if name else pages.calendar.zone

    async def own_ticket(session: Session, number: str) -> Ticket:
        try:
            ticket = await asyncio.to_thread(app.get_ticket, number) if _NUMBER.match(number) else None
        except TicketNotFound:
            ticket = None
        if ticket is None or ticket.customer != session.customer:
            raise Refused(404, "No such ticket", f"There is no ticket {number[:20]} for {session.customer}.")
        return ticket

    # -- signing in -------------------------------------------------------------------------
    @router.get("/login")
    async def login_form(request: Request, email: str = "") -> HTMLResponse:
        token = anonymous_csrf(request)
        return with_csrf_cookie(request, pages.render(request, "login.html.j2", csrf=token,
                                                      email=email[:254]), token)

    @router.post("/login")
    async def ask_for_link(request: Request) -> HTMLResponse:
        form = await form_of(request)
        check_csrf(request, None, form)
        email = str(form.get("email") or "").strip().lower()
        token = anonymous_csrf(request)
        if not EMAIL.match(email):
            return with_csrf_cookie(request, pages.render(
                request, "login.html.j2", 422, csrf=token, email=email[:254],
                error="Enter the email address registered for your company, e.g. noc@example.com."), token)
        now = pages.clock.now()
        ttl = settings.portal_link_ttl
        asked = await asyncio.to_thread(pages.store.links_requested, email, now - ttl)
        if asked >= settings.portal_links_per_window:
            return with_csrf_cookie(request, pages.render(
                request, "login.html.j2", 429, csrf=token, email=email,
                error=f"Too many sign-in links were asked for {email} in the last "
                      f"{int(ttl.total_seconds() // 60)} minutes. Use the latest one you received, "
                      "or try again later."), token)
        customer = next((c for c in submissions.directory.customers
                         if submissions.directory.contact(c, email)), None)
        secret = await asyncio.to_thread(pages.store.issue_link, email,
                                         customer.name if customer else None, now, ttl)
        if customer is not None:
            link = str(request.url_for("link_page", secret=secret))
            try:
                await mailer.send(email, link, (now + ttl).astimezone(pages.calendar.zone),
                                  str(pages.calendar.zone))
            except (aiosmtplib.SMTPException, OSError) as exc:
                log.warning("sign-in link to %s not sent: %s", email, exc)
                return pages.render(request, "error.html.j2", 503, title="Email unavailable",
                                    message="We could not send the sign-in email just now. "
                                            "Please try again in a few minutes.")
        return pages.render(request, "sent.html.j2", email=email, minutes=int(ttl.total_seconds() // 60))

    @router.get("/login/{secret}", name="link_page")
    async def link_page(request: Request, secret: str) -> HTMLResponse:
        state, email = await asyncio.to_thread(pages.store.link_state, secret[:100], pages.clock.now())
        token = anonymous_csrf(request)
        if state != LinkState.VALID:
            title = {LinkState.EXPIRED: "This link has expired",
                     LinkState.USED: "This link was already used"}.get(state, "This link is not valid")
            return with_csrf_cookie(request, pages.render(
                request, "link.html.j2", 410, csrf=token, title=title, email=email or "",
                valid=False), token)
        return with_csrf_cookie(request, pages.render(
            request, "link.html.j2", csrf=token, email=email, secret=secret, valid=True,
            title="Sign in"), token)

    @router.post("/login/{secret}")
    async def use_link(request: Request, secret: str) -> Any:
        check_csrf(request, None, await form_of(request))
        now = pages.clock.now()
        used = await asyncio.to_thread(pages.store.use_link, secret[:100], now)
        if used is None:
            return RedirectResponse(request.url_for("link_page", secret=secret[:100]), status_code=303)
        email, customer = used
        return await pages.sign_in(request, name=email, role="customer", customer=customer,
                                   ttl=settings.portal_session_ttl, to="/portal")

    @router.post("/logout")
    async def logout(request: Request) -> RedirectResponse:
        return await pages.sign_out(request, signed_in(request), "/portal/login")

    # -- tickets ----------------------------------------------------------------------------
    @router.get("")
    async def tickets(request: Request) -> HTMLResponse:
        session = signed_in(request)
        now = pages.clock.now()

        def rows() -> list[tuple[Ticket, Any]]:
            return [(t, clocks_of(app, t, policy, now)) for t in finder.of_customer(session.customer)]

        return pages.render(request, "tickets.html.j2", session=session, zone=zone_of(session),
                            rows=await asyncio.to_thread(rows))

    @router.get("/tickets/{number}")
    async def ticket_page(request: Request, number: str) -> HTMLResponse:
        session = signed_in(request)
        return await _ticket(request, session, await own_ticket(session, number))

    async def _ticket(request: Request, session: Session, ticket: Ticket, status: int = 200,
                      **context: Any) -> HTMLResponse:
        clocks = await asyncio.to_thread(clocks_of, app, ticket, policy, pages.clock.now())
        conversation = [c for c in getattr(ticket, "comments", ()) if c["visibility"] == "public"]
        return pages.render(request, "ticket.html.j2", status, session=session, zone=zone_of(session),
                            ticket=ticket, clocks=clocks, conversation=conversation, console=False,
                            **context)

    @router.post("/tickets/{number}/reply")
    async def reply(request: Request, number: str) -> Any:
        session = signed_in(request)
        form = await form_of(request)
        check_csrf(request, session, form)
        ticket = await own_ticket(session, number)
        text = str(form.get("message") or "")
        if not text.strip() or len(text) > REPLY_MAX:
            return await _ticket(request, session, ticket, 422, draft=text[:REPLY_MAX],
                                 error="Write a reply of 1 to 65,536 characters.")
        try:
            await asyncio.to_thread(
                app.add_customer_reply, number, author=session.name, text=text,
                received_at=pages.clock.now(), channel="portal", actor=session.actor(),
                reopens=settings.reply_reopens)
        except TicketRuleViolation as violation:
            return await _ticket(request, session, ticket, 409, draft=text, error=violation.message)
        return RedirectResponse(f"/portal/tickets/{number}#conversation", status_code=303)

    @router.get("/new")
    async def new_form(request: Request) -> HTMLResponse:
        session = signed_in(request)
        return _new(request, session, {"priority": "3"}, {})

    def _new(request: Request, session: Session, values: dict[str, Any], errors: dict[str, str],
             status: int = 200) -> HTMLResponse:
        customer = submissions.directory.find_customer(session.customer or "")
        locations = [loc.address for loc in customer.locations] if customer else []
        return pages.render(request, "new.html.j2", status, session=session, values=values,
                            errors=errors, locations=locations, priorities=PRIORITIES,
                            limit_mb=settings.max_message_bytes / (1024 * 1024))

    @router.post("/new")
    async def open_ticket(request: Request) -> Any:
        session = signed_in(request)
        form = await form_of(request)
        check_csrf(request, session, form)
        values = {k: str(form.get(k) or "") for k in ("location", "issue", "description", "priority")}
        errors: dict[str, str] = {}
        if not values["location"]:
            errors["location"] = "Choose the location the problem is at."
        if not values["issue"].strip():
            errors["issue"] = "Say in a few words what is wrong."
        elif len(values["issue"]) > ISSUE_MAX:
            errors["issue"] = f"At most {ISSUE_MAX} characters (you wrote {len(values['issue'])})."
        if not values["description"].strip():
            errors["description"] = "Describe the problem: what fails, since when, which lines."
        elif len(values["description"].encode()) > DESCRIPTION_MAX_BYTES:
            errors["description"] = "The description is longer than we accept (10 MiB)."
        if values["priority"] not in ("1", "2", "3", "4"):
            errors["priority"] = "Choose a priority."
        attachments, total = [], 0
        for upload in form.getlist("attachments") if hasattr(form, "getlist") else []:
            if not getattr(upload, "filename", None):
                continue
            size = len(await upload.read())
            total += size
            attachments.append({"filename": upload.filename[:FILENAME_MAX], "size": size,
                                "content_type": upload.content_type or "application/octet-stream"})
        if total > settings.max_message_bytes:
            errors["attachments"] = (f"The attachments come to {total / 1048576:.1f} MiB; we accept "
                                     f"{settings.max_message_bytes / 1048576:.0f} MiB, as by email.")
        if errors:
            return _new(request, session, values, errors, 422)
        outcome = await submissions.receive_request(
            customer=session.customer, location=values["location"], issue=values["issue"],
            description=values["description"], priority=int(values["priority"]),
            contact=session.name, actor=session.actor(), channel="portal", attachments=attachments)
        if not isinstance(outcome, Opened):
            field = {"unknown_location": "location", "invalid_field": "issue"}.get(outcome.reason, "form")
            return _new(request, session, values, {field: outcome.detail}, 422)
        return RedirectResponse(f"/portal/tickets/{outcome.ticket.number}?opened=1", status_code=303)

    return router


_NUMBER = re.compile(r"^T-\d{6,12}$")
