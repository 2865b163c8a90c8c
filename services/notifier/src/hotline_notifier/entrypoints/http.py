"""Notifications over HTTP: each notification of a ticket, or each that failed, with every
delivery attempt. Read by agents and auditors alike (`tickets:read`).

The notifications are found in the delivery index (no scan of the event log); each one's
attempts are its own events (`Sent`, `Failed`), read by its id.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from hotline.identity import requires
from hotline.problems import Invalid
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification

TICKET_NUMBER = r"^T-\d{6,}$"


class Attempt(BaseModel):
    attempt: int
    outcome: Literal["sent", "failed"]
    at: datetime = Field(description="When it was sent or failed (the stack's clock).")
    reply: str | None = Field(None, description="The SMTP reply or `HTTP <status>`, when sent.")
    error: str | None = Field(None, description="Why it failed.")
    will_retry: bool = False
    next_attempt_at: datetime | None = Field(None, description="When it is tried again (system time).")
    permanent: bool = Field(False, description="Refused for good: not tried again.")


class NotificationView(BaseModel):
    notification_id: UUID
    kind: str
    channel: str = Field(description="`email` or `webhook`.")
    recipient: str
    subject: str
    ticket_number: str | None
    requested_at: datetime
    state: Literal["pending", "sent", "given-up"]
    in_flight: bool = Field(description="An attempt is under way.")
    next_attempt_at: datetime | None = Field(description="While pending: when it is due (system time).")
    attempts: list[Attempt]


def attempt_of(event: Any) -> Attempt | None:
    if isinstance(event, Notification.Sent):
        return Attempt(attempt=event.attempt, outcome="sent", at=event.sent_at,
                       reply=getattr(event, "reply", None))
    if isinstance(event, Notification.Failed):
        return Attempt(attempt=event.attempt, outcome="failed", at=event.failed_at, error=event.error,
                       will_retry=event.will_retry, permanent=getattr(event, "permanent", False),
                       next_attempt_at=getattr(event, "next_attempt_at", None))
    return None


def views(app: NotifierApplication, rows: list[dict[str, Any]]) -> list[NotificationView]:
    found = []
    for row in rows:
        attempts = [a for e in app.history(row["notification_id"]) if (a := attempt_of(e))]
        found.append(NotificationView(
            **{k: row[k] for k in ("notification_id", "kind", "channel", "recipient", "subject",
                                   "ticket_number", "requested_at", "state")},
            in_flight=row["claimed_at"] is not None, next_attempt_at=row["due_at"], attempts=attempts))
    return found


def notifications_router(app: NotifierApplication) -> APIRouter:
    router = APIRouter(prefix="/notifications", tags=["notifications"])

    @router.get("", summary="Every notification of a ticket, with each delivery attempt",
                response_model=list[NotificationView], responses={422: {"model": Invalid}})
    @requires("tickets:read")
    async def of_ticket(ticket: str = Query(pattern=TICKET_NUMBER, examples=["T-000042"])
                        ) -> list[NotificationView]:
        rows = await asyncio.to_thread(app.deliveries.deliveries_of_ticket, ticket)
        return await asyncio.to_thread(views, app, rows)

    @router.get("/failed", summary="Notifications given up, or retrying after a failed attempt; "
                "most recently changed first", response_model=list[NotificationView],
                responses={422: {"model": Invalid}})
    @requires("tickets:read")
    async def failed(limit: int = Query(100, ge=1, le=1000)) -> list[NotificationView]:
        rows = await asyncio.to_thread(app.deliveries.failed_deliveries, limit)
        return await asyncio.to_thread(views, app, rows)

    return router
