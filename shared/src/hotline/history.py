"""A ticket's history, one service's part: entries built from that service's own event store.

Each service answers `GET /tickets/{number}/events?as_of=ISO` (auditors and admins: `read:all`)
with `{service, ticket, as_of, entries, state}`; intake merges the four parts into
`GET /tickets/{number}/history`. An entry is one stored event:

    {service, at, recorded_at, timestamp, type, aggregate, version, summary, detail}

- `at`: when it happened (the event's business instant, on the stack's clock: `at`,
  `received_at`, `sent_at`, `fired_at`, `booked_at`, ...; the store's timestamp if it has none);
- `recorded_at`: when the service recorded it on the stack's clock (its `recorded_at` field if it
  has one, else `at`); what `as_of` cuts by;
- `timestamp`: the event store's own timestamp (system clock).

With `as_of`, each aggregate is taken as it stood then: the longest prefix of its events
recorded by `as_of` (`standing`), which is also what its state is rebuilt from (`rebuild`), so
entries and state always agree. Nothing is read from current views.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from hotline.identity import requires
from hotline.problems import Problem, refusal

PERMISSION = "read:all"
"""Who reads a ticket's history: auditors and admins (agents do not have `read:all`)."""
SERVICES = ("intake", "sla-timer", "notifier", "billing")
"""The order entries of one instant are merged in."""
NUMBER = re.compile(r"^T-\d{6,}$")
INSTANTS = ("at", "received_at", "sent_at", "failed_at", "fired_at", "booked_at", "decided_at",
            "created_at", "opened_at", "logged_at", "recorded_at")
HIDDEN = frozenset({"originator_id", "originator_version", "timestamp", "trace_context", "body",
                    "html", "payload"})
"""Event fields left out of an entry's detail (bulky or infrastructure)."""


def instant(event: Any) -> datetime:
    """When the event happened: its first business instant, else the store's timestamp."""
    for name in INSTANTS:
        value = getattr(event, name, None)
        if isinstance(value, datetime):
            return value
    return event.timestamp


def recorded(event: Any) -> datetime:
    """When the service recorded it, on the stack's clock."""
    value = getattr(event, "recorded_at", None)
    return value if isinstance(value, datetime) else instant(event)


def standing(events: Sequence[Any], as_of: datetime | None,
             recorded_at: Callable[[Any], datetime] = recorded) -> list[Any]:
    """The events of one aggregate as they stood at `as_of`: the prefix recorded by then."""
    if as_of is None:
        return list(events)
    kept = []
    for event in events:
        if recorded_at(event) > as_of:
            break
        kept.append(event)
    return kept


def rebuild(events: Sequence[Any]) -> Any:
    """The aggregate these events (a prefix, from version 1) make, or None without any."""
    aggregate = None
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


def entry(service: str, event: Any, summary: str, *, detail: dict[str, Any] | None = None,
          at: datetime | None = None, recorded_at: datetime | None = None,
          kind: str | None = None) -> dict[str, Any]:
    """One event as a history entry (JSON-ready)."""
    at = at or instant(event)
    return {
        "service": service,
        "at": iso(at),
        "recorded_at": iso(recorded_at or recorded(event)),
        "timestamp": iso(event.timestamp),
        "type": kind or type(event).__qualname__,
        "aggregate": str(event.originator_id),
        "version": event.originator_version,
        "summary": summary,
        "detail": plain(detail if detail is not None else fields_of(event)),
    }


def fields_of(event: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(event).items() if k not in HIDDEN}


def plain(value: Any) -> Any:
    """JSON-ready: instants in ISO-8601 UTC, ids and amounts as strings."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is dict:
        return {k if type(k) is str else str(k): plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, (UUID, Decimal, date)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return plain(dataclasses.asdict(value))
    return value


_AS_IS = frozenset({str, int, float, bool, type(None)})


def iso(at: datetime) -> str:
    if at.tzinfo is not timezone.utc:
        at = at.astimezone(timezone.utc)
    return at.isoformat().replace("+00:00", "Z")


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def merge(parts: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every part's entries in time order; one instant's stay in service order, then in the
    order their service gave them (its aggregates' versions)."""
    rows = [(parse_instant(e["at"]), _rank(e["service"]), i, e)
            for part in parts for i, e in enumerate(part)]
    rows.sort(key=lambda r: r[:3])
    return [r[3] for r in rows]


def _rank(service: str) -> int:
    return SERVICES.index(service) if service in SERVICES else len(SERVICES)


def check_number(number: str) -> None:
    if not NUMBER.match(number):
        raise refusal(400, "bad_ticket_number", "ticket numbers look like T-000042")


Part = Callable[[str, datetime | None], dict[str, Any]]
"""(number, as_of) -> {"entries": [...], "state": {...} | None}: one service's part."""


def events_router(service: str, part: Part) -> APIRouter:
    """`GET /tickets/{number}/events?as_of=`: this service's part of a ticket's history. A
    ticket the service has not seen has no entries (it may not have heard of it yet); a part
    that raises `LookupError` (intake: no such ticket) answers 404."""
    router = APIRouter(tags=["history"])

    @router.get("/tickets/{number}/events", summary=f"{service}'s events of a ticket, for its history",
                responses={400: {"model": Problem}, 404: {"model": Problem}})
    @requires(PERMISSION)
    async def ticket_events(number: str, as_of: AwareDatetime | None = Query(
            None, description="Only what was recorded by then, and the state as it stood then.",
            examples=["2026-11-28T04:00:00-08:00"])) -> dict[str, Any]:
        check_number(number)
        try:
            found = await asyncio.to_thread(part, number, as_of)
        except LookupError:
            raise refusal(404, "not_found", f"no ticket {number}") from None
        return {"service": service, "ticket": number, "as_of": iso(as_of) if as_of else None,
                "entries": found["entries"], "state": found.get("state") if as_of else None}

    return router
