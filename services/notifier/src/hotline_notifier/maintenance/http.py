"""Maintenance windows over HTTP: schedule, list, show, and the commands of `COMMANDS`.

Changing the schedule needs the admin role; reading needs `read:all` (auditors, admins). A
window is named by its id or the first 8 or more characters of it. A request that breaks a
rule (too little notice, unknown customer, ...) answers 422, one that does not fit the window's
state 409, each with a reason; an unknown window 404. The caller is recorded as the actor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Query, Request, status
from pydantic import AwareDatetime, BaseModel, Field

from hotline.contracts.maintenance import ServiceClass, WindowKind
from hotline.identity import guard, requires
from hotline.problems import Invalid, Problem, refusal
from hotline.telemetry import current_trace_context
from hotline_notifier.maintenance.rows import Status, WindowView
from hotline_notifier.maintenance.schedule import COMMANDS, MaintenanceSchedule, UnknownWindow
from hotline_notifier.maintenance.rules import (
    NOTE_MAX,
    REASON_MAX,
    MaintenanceConflict,
    MaintenanceRuleViolation,
)

REFUSALS = {404: {"model": Problem}, 409: {"model": Problem}, 422: {"model": Invalid}}


class ScheduleRequest(BaseModel):
    """A maintenance window to schedule, or a relevant platform change to announce (`kind`).
    Planned work needs at least 24 hours' notice (setting HOTLINE_NOTIFIER_MAINTENANCE_LEAD_TIME);
    emergency work may start at once."""

    kind: WindowKind = Field("maintenance", description="`change`: a relevant change to the "
                             "platform, taking effect at `starts_at`; told once, never reminded.")
    starts_at: AwareDatetime = Field(examples=["2026-12-02T02:00:00-08:00"])
    ends_at: AwareDatetime | None = Field(None, examples=["2026-12-02T04:00:00-08:00"],
                                          description="Required for maintenance; a change "
                                          "without one ends when it takes effect.")
    services: list[ServiceClass] = Field(min_length=1, max_length=2, examples=[["core"]])
    customers: list[str] = Field(min_length=1, max_length=1000, examples=[["Acme Corp"], ["all"]],
                                 description='Customers as the directory names them, or ["all"].')
    reason: str = Field(min_length=1, max_length=REASON_MAX, examples=["Core switch upgrade"])
    emergency: bool = False


class NoteRequest(BaseModel):
    note: str | None = Field(None, max_length=NOTE_MAX)


class RescheduleRequest(NoteRequest):
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = Field(None, description="Required for maintenance; a change "
                                          "without one ends when it takes effect.")
    emergency: bool = Field(False, description="Make it emergency maintenance (never undone).")


def maintenance_router(schedule: MaintenanceSchedule) -> APIRouter:
    router = APIRouter(prefix="/maintenance", tags=["maintenance"])

    @router.post("", status_code=status.HTTP_201_CREATED, response_model=WindowView,
                 responses=REFUSALS)
    @requires("admin")
    async def schedule_window(request: ScheduleRequest, http: Request) -> WindowView:
        """Schedule a window, or announce a change; the affected customers' contacts are told at
        once."""
        return await _refusing(lambda: asyncio.to_thread(
            schedule.schedule, **request.model_dump(), actor=guard.actor(http),
            trace_context=current_trace_context()))

    @router.get("", response_model=list[WindowView])
    @requires("read:all")
    async def list_windows(status: Status | None = None,
                           limit: int = Query(100, ge=1, le=1000)) -> list[WindowView]:
        """Windows, latest start first (from the maintenance read model)."""
        return await asyncio.to_thread(schedule.windows, status, limit)

    @router.get("/{window}", response_model=WindowView, responses=REFUSALS)
    @requires("read:all")
    async def show_window(window: str) -> WindowView:
        """One window, by its id or the first 8 or more characters of it."""
        return await _refusing(lambda: asyncio.to_thread(schedule.window, window))

    @router.post("/{window}/reschedule", response_model=WindowView, responses=REFUSALS,
                 summary=COMMANDS["reschedule"].summary)
    @requires("admin")
    async def reschedule(window: str, request: RescheduleRequest, http: Request) -> WindowView:
        return await _change(window, "reschedule", request, http)

    async def _change(window: str, command: str, request: NoteRequest, http: Request) -> WindowView:
        perform = getattr(schedule, COMMANDS[command].method)
        return await _refusing(lambda: asyncio.to_thread(
            perform, window, actor=guard.actor(http), trace_context=current_trace_context(),
            **request.model_dump()))

    for command in COMMANDS:
        if command != "reschedule":  # takes new times, above
            _note_route(router, command, _change)
    return router


def _note_route(router: APIRouter, command: str,
                change: Callable[..., Awaitable[WindowView]]) -> None:
    @requires("admin")
    async def endpoint(window: str, http: Request,
                       request: NoteRequest | None = None) -> WindowView:
        return await change(window, command, request or NoteRequest(), http)

    endpoint.__name__ = f"{command}_window"
    router.post(f"/{{window}}/{command}", response_model=WindowView, responses=REFUSALS,
                summary=COMMANDS[command].summary)(endpoint)


async def _refusing(call: Callable[[], Awaitable[WindowView]]) -> WindowView:
    try:
        return await call()
    except UnknownWindow as exc:
        raise refusal(404, "unknown_window", str(exc)) from None
    except MaintenanceRuleViolation as violation:
        code = 409 if isinstance(violation, MaintenanceConflict) else 422
        raise refusal(code, violation.reason, violation.message) from None

