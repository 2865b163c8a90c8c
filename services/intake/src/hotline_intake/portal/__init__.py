"""The web console, served by intake: the customer portal (`/portal`, `customer`) and the agent
console (`/console`, `agent`), server-rendered `jinja2` pages progressively enhanced with
`htmx` (vendored in `static/`; no front-end build). The pages work without JavaScript; htmx only
refreshes the agents' queue live.

- `sessions`: one-time sign-in links, sessions and their CSRF tokens, in PostgreSQL;
- `pages`: templates, who is signed in, CSRF checks;
- `tickets`: which tickets a page lists, and their clocks (the shared SLA kernel);
- `customer`, `agent`: the two sets of pages; `mailer`: the sign-in link email.

`install(runtime, submissions, settings)` mounts it into intake's HTTP app.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from hotline.runtime import ServiceRuntime
from hotline.sla import SlaPolicy
from hotline_intake.portal.agent import agent_router
from hotline_intake.portal.customer import customer_router
from hotline_intake.portal.mailer import LinkMailer
from hotline_intake.portal.pages import Pages, Refused, SignIn
from hotline_intake.portal.sessions import SessionStore
from hotline_intake.portal.tickets import TicketFinder
from hotline_intake.settings import IntakeSettings
from hotline_intake.submissions import Submissions

STATIC = Path(__file__).with_name("static")


def install(runtime: ServiceRuntime, submissions: Submissions, settings: IntakeSettings) -> None:
    app = submissions.app
    store = SessionStore(settings.database_url, settings.schema)
    pages = Pages(store, app.clock, app.calendar)
    finder = TicketFinder(app, store.pool, settings.schema)
    policy = SlaPolicy.from_settings(calendar=app.calendar)
    mailer = LinkMailer(settings.smtp_url, settings.own_addresses[0] if settings.own_addresses
                        else "support@hotline.example")
    http = runtime.http
    http.mount("/static", StaticFiles(directory=STATIC), name="static")
    http.include_router(customer_router(pages, submissions, finder, mailer, policy, settings))
    http.include_router(agent_router(pages, submissions, finder, policy, settings))

    @http.exception_handler(SignIn)
    async def sign_in(request: Request, exc: SignIn) -> RedirectResponse:
        return RedirectResponse(exc.path, status_code=303)

    @http.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> HTMLResponse:
        return pages.render(request, "error.html.j2", exc.status, session=pages.session(request),
                            title=exc.title, message=exc.message)

    async def open_store() -> None:
        await asyncio.to_thread(store.open)

    async def close_store() -> None:
        await asyncio.to_thread(store.close)

    runtime.on_start(open_store)
    runtime.on_stop(close_store)
