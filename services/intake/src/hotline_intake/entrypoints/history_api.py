"""A ticket's whole life over HTTP, across every service (auditors and admins: `read:all`).

- `GET /tickets/{number}/events?as_of=`: intake's own part (`hotline_intake.history`), like
  every service's;
- `GET /tickets/{number}/history?as_of=`: intake's part and the other three services'
  (`/tickets/{number}/events`, asked concurrently with the caller's own token), merged in time
  order (`hotline.history.merge`). A service that does not answer, or refuses, is listed in
  `unavailable` with why; the history is served without its part, never a 500. With `as_of`,
  `state` holds the ticket (and its review) and its SLA clocks as they stood then.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime

from hotline import history
from hotline.identity import requires
from hotline.problems import Problem, refusal
from hotline_intake import history as intake_history
from hotline_intake.application import IntakeApplication, TicketNotFound
from hotline_intake.history_settings import HistorySettings


def history_router(app: IntakeApplication, settings: HistorySettings | None = None,
                   transport: httpx.AsyncBaseTransport | None = None) -> APIRouter:
    """`transport`: how the other services are reached (tests pass an in-process one)."""
    settings = settings or HistorySettings()
    router = history.events_router(
        intake_history.SERVICE, lambda number, as_of: intake_history.part(app, number, as_of))

    @router.get("/tickets/{number}/history", summary="A ticket's whole life, across every service",
                responses={400: {"model": Problem}, 404: {"model": Problem}})
    @requires(history.PERMISSION)
    async def ticket_history(number: str, http: Request, as_of: AwareDatetime | None = Query(
            None, description="The ticket and its clocks as they stood then, rebuilt from the "
            "events recorded by then.", examples=["2026-11-28T04:00:00-08:00"])) -> dict[str, Any]:
        history.check_number(number)
        return await gather(app, settings, number, as_of, http.headers.get("authorization"),
                            transport)

    return router


async def gather(app: IntakeApplication, settings: HistorySettings, number: str,
                 as_of: datetime | None, authorization: str | None,
                 transport: httpx.AsyncBaseTransport | None = None) -> dict[str, Any]:
    headers = {"Authorization": authorization} if authorization else {}
    params = {"as_of": as_of.isoformat()} if as_of else {}
    async with httpx.AsyncClient(headers=headers, timeout=settings.history_timeout_seconds,
                                 transport=transport) as client:
        own = asyncio.to_thread(intake_history.part, app, number, as_of)
        asked = {service: _ask(client, url, number, params) for service, url in settings.urls().items()}
        mine, *theirs = await asyncio.gather(own, *asked.values(), return_exceptions=True)
    if isinstance(mine, TicketNotFound):
        raise refusal(404, "not_found", f"no ticket {number}")
    if isinstance(mine, BaseException):
        raise mine
    parts, state, unavailable = [mine["entries"]], {"intake": mine["state"]}, []
    for service, answer in zip(asked, theirs, strict=True):
        if isinstance(answer, str):
            unavailable.append({"service": service, "reason": answer})
        elif isinstance(answer, BaseException):
            unavailable.append({"service": service, "reason": f"{type(answer).__name__}: {answer}"})
        else:
            parts.append(answer.get("entries", []))
            if answer.get("state") is not None:
                state[service.replace("-", "_")] = answer["state"]
    return {"ticket": number, "as_of": history.iso(as_of) if as_of else None,
            "entries": history.merge(parts), "state": state if as_of else None,
            "unavailable": unavailable}


async def _ask(client: httpx.AsyncClient, url: str, number: str,
               params: dict[str, str]) -> dict[str, Any] | str:
    """The service's part, or why there is none (a sentence)."""
    try:
        response = await client.get(f"{url.rstrip('/')}/tickets/{number}/events", params=params)
    except httpx.HTTPError as error:
        return f"unreachable at {url}: {type(error).__name__} {error}".strip()
    if response.status_code != 200:
        return f"answered {response.status_code}: {response.text[:200]}"
    try:
        return response.json()
    except ValueError:
        return "answered with something other than JSON"
