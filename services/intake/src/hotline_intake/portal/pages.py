"""What every web-console page shares: the templates, who is signed in, and CSRF.

- Templates are `jinja2` files in `portal/templates`, autoescaped; every page gets `zone` (the
  viewer's time zone) and a `local` filter.
- A signed-in person has a session cookie (`hotline_session`: HttpOnly, SameSite=Lax, Secure
  when the request came over TLS). A bearer token of the right role also works (API clients),
  without CSRF, since no cookie is involved.
- Every form carries a CSRF token: the session's own, or, on the sign-in forms (no session
  yet), a double-submit cookie (`hotline_csrf`). A post without it is refused (403) and changes
  nothing.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from hotline.calendar import SupportCalendar
from hotline.clock import Clock
from hotline_intake.portal.sessions import Session, SessionStore, same

SESSION_COOKIE, CSRF_COOKIE = "hotline_session", "hotline_csrf"

_env = Environment(loader=PackageLoader("hotline_intake", "portal/templates"),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   auto_reload=False)  # packaged: no stat() per render


class SignIn(Exception):
    """Not signed in (or not as what the page needs): to the sign-in page `path`."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Refused(Exception):
    """A page that answers with an error page: its status and sentence."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


@dataclass
class Pages:
    """The console's shared parts, built once per service."""

    store: SessionStore
    clock: Clock
    calendar: SupportCalendar

    def render(self, request: Request, template: str, status: int = 200, *,
               session: Session | None = None, zone: ZoneInfo | None = None, **context: Any) -> HTMLResponse:
        zone = zone or self.calendar.zone

        def local(instant: datetime | None, fmt: str = "%a %Y-%m-%d %H:%M %Z") -> str:
            return instant.astimezone(zone).strftime(fmt) if instant else "—"

        _env.filters["local"] = local
        body = _env.get_template(template).render(request=request, session=session, zone=zone,
                                                  now=self.clock.now(), **context)
        return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store"})

    def session(self, request: Request) -> Session | None:
        principal = getattr(request.state, "principal", None)
        if principal is not None:
            return Session(principal.name, principal.role.value, principal.customer, "", self.clock.now())
        return self.store.find(request.cookies.get(SESSION_COOKIE), self.clock.now())

    async def sign_in(self, request: Request, *, name: str, role: str, customer: str | None,
                      ttl: timedelta, to: str) -> RedirectResponse:
        """Start a session and send the browser `to` with its cookie."""
        secret = await asyncio.to_thread(self.store.start, name, role, customer, self.clock.now(), ttl)
        response = RedirectResponse(to, status_code=303)
        response.set_cookie(SESSION_COOKIE, secret, max_age=int(ttl.total_seconds()), httponly=True,
                            samesite="lax", secure=_over_tls(request), path="/")
        return response

    async def sign_out(self, request: Request, session: Session, to: str) -> RedirectResponse:
        """End the session (a form post with its CSRF token) and send the browser `to`."""
        check_csrf(request, session, await form_of(request))
        await asyncio.to_thread(self.store.end, request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(to, status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


async def form_of(request: Request) -> Any:
    """The posted form; a body that is not one reads as an empty form (then refused by CSRF)."""
    try:
        return await request.form(max_files=100, max_fields=50)
    except Exception:  # noqa: BLE001 - a malformed body is a refused form, never a 500
        return {}


def check_csrf(request: Request, session: Session | None, form: Any) -> None:
    """Raise `Refused` (403) unless the form carries its CSRF token."""
    sent = form.get("csrf") if hasattr(form, "get") else None
    sent = sent if isinstance(sent, str) else None
    if session is not None and not session.csrf:
        return  # a bearer token: no cookie, so no cross-site forgery
    expected = session.csrf if session is not None else request.cookies.get(CSRF_COOKIE)
    if not same(sent, expected):
        raise Refused(403, "Form refused", "The form was refused: its security token is missing "
                      "or out of date. Reload the page and send it again.")


def anonymous_csrf(request: Request) -> str:
    """The double-submit token of a sign-in form (the cookie's, or a new one)."""
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


def with_csrf_cookie(request: Request, response: HTMLResponse, token: str) -> HTMLResponse:
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=_over_tls(request), path="/")
    return response


def _over_tls(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
