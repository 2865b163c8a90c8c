"""notifier's part of a ticket's history: every notification about the ticket (found in the
delivery index by its ticket number, one index probe, no log scan) with each of its events read
by id: `Requested` (what, to whom, by which channel), then each attempt, `Sent` with the SMTP
reply or HTTP status, `Failed` with the reason and whether it is retried.

Attempts carry their instant on the stack's clock (`sent_at`, `failed_at`); a request carries
none, only the store's timestamp (system clock). Its `at` is therefore estimated: its timestamp
moved by the offset between the two clocks seen at the notification's first attempt (so, on a
simulated clock, a request sorts just before its first attempt, not at today's date); without
an attempt yet, its timestamp. Such entries say `"at_estimated": true` in their detail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter

from hotline import history
from hotline_notifier.application import NotifierApplication

SERVICE = "notifier"


def router(app: NotifierApplication) -> APIRouter:
    """`GET /tickets/{number}/events`: this part, for intake's `GET /tickets/{number}/history`."""
    return history.events_router(SERVICE, lambda number, as_of: part(app, number, as_of))


def part(app: NotifierApplication, number: str, as_of: datetime | None = None) -> dict[str, Any]:
    """{"entries": [...], "state": None}: the notifications are their entries."""
    entries = []
    for row in app.deliveries.deliveries_of_ticket(number):
        events = app.history(row["notification_id"])
        requested_at = _requested_at(events)
        instants = [requested_at] + [history.instant(e) for e in events[1:]]
        kept = history.standing(list(zip(events, instants, strict=True)), as_of,
                                recorded_at=lambda pair: pair[1])
        entries += [notification_entry(event, at) for event, at in kept]
    return {"entries": entries, "state": None}


def _requested_at(events: list[Any]) -> datetime:
    requested = events[0]
    if len(events) < 2:
        return requested.timestamp
    first = events[1]
    offset = history.instant(first) - first.timestamp
    return min(requested.timestamp + offset, history.instant(first))


def notification_entry(event: Any, at: datetime) -> dict[str, Any]:
    name = type(event).__name__
    channel = getattr(event, "channel", "email")
    detail = history.fields_of(event)
    if name == "Requested":
        summary = f"{event.kind} {channel} to {event.recipient} requested: {event.subject}"
        detail["at_estimated"] = True
    elif name == "Sent":
        summary = f"{event.kind} {channel} to {event.recipient} sent (attempt {event.attempt}): " \
                  f"{getattr(event, 'reply', None) or 'no reply recorded'}"
    elif name == "Failed":
        then = ("retried" if event.will_retry else
                "refused for good" if getattr(event, "permanent", False) else "given up")
        summary = (f"{event.kind} {channel} to {event.recipient} failed (attempt {event.attempt}), "
                   f"{then}: {event.error}")
    else:
        summary = name
    return history.entry(SERVICE, event, summary, detail=detail, at=at, recorded_at=at,
                         kind=f"Notification.{name}")
