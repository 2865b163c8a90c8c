"""sla-timer's HTTP API: each SLA clock's timeline of a ticket, rebuilt from the event log, and
availability (outage records, monthly figures: `hotline_sla_timer.availability.http`)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from fastapi import APIRouter, FastAPI

from hotline import versions
from hotline.contracts import ticket_id_for
from hotline.identity import requires
from hotline.problems import Invalid, Problem, refusal
from hotline_sla_timer import audit
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.availability.http import availability_router
from hotline_sla_timer.entrypoints.audit_http import audit_router
from hotline_sla_timer import history

NUMBER = re.compile(r"^T-\d{6,}$")


def sla_router(app: SlaTimerApplication) -> APIRouter:
    router = APIRouter(tags=["sla"])

    @router.get("/tickets/{number}/sla", summary="Every SLA clock's timeline, from the event log",
                responses={404: {"model": Problem}, 422: {"model": Invalid}})
    @requires("sla:read")
    async def ticket_sla(number: str) -> dict[str, Any]:
        if not NUMBER.match(number):
            raise refusal(422, "bad_number", f"{number!r} is not a ticket number like T-000042")
        try:
            return await asyncio.to_thread(_timeline, app, number)
        except AggregateNotFoundError:
            raise refusal(404, "unknown_ticket", f"sla-timer has no clocks for {number}") from None

    @router.get("/sla/policies", summary="Every SLA policy and calendar version recorded, oldest first")
    @requires("sla:read")
    async def policies() -> list[dict[str, Any]]:
        registry = await asyncio.to_thread(versions.load, app)
        in_force = {app.policy.version, app.policy.calendar.version}
        return [{"kind": v.kind, "version": v.version, "first_seen_at": v.first_seen_at,
                 "service": v.service, "in_force": v.version in in_force, "settings": v.data}
                for v in sorted(registry.versions.values(), key=lambda v: (v.first_seen_at, v.kind))]

    return router


def _timeline(app: SlaTimerApplication, number: str) -> dict[str, Any]:
    ticket_id = ticket_id_for(number)
    events = app.history(ticket_id)
    if not events:
        raise AggregateNotFoundError(ticket_id)
    clocks = app.clocks(ticket_id)
    return audit.timeline(events, clocks, app.policy_for(clocks), app.clock.now())


def create_http_app(app: SlaTimerApplication) -> FastAPI:
    http = FastAPI(title="Hotline sla-timer", version="1.0.0",
                   description="SLA clocks, durable deadline timers and availability SLAs.")
    http.include_router(sla_router(app))
    http.include_router(availability_router(app))
    http.include_router(audit_router(app))
    http.include_router(history.router(app))
    return http
