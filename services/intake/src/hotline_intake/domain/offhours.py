"""Off-hours support for Priority 2–4, scheduled in advance, and Priority 4 agreements: the rules.

The contract: "Access to Support during Off Hours for non-Priority 1 events is subject to
availability and must be scheduled in advance by coordinating with the NOC". A customer's
contact (in an email reply that names the slot) or an agent requests a slot on a ticket; the
NOC accepts or declines it. Work done in an accepted slot is logged against it like any other
work. None of it changes the ticket's SLA clocks: the response and resolution targets run on the
support calendar whether or not off-hours work was scheduled.

A request is named `OH-<ticket digits>-<n>` (the ticket's n-th request), so its id leads to its
ticket without a lookup. The events live on the ticket (`Ticket.request_off_hours` and
friends), so the ticket's history and replay hold them in order with everything else.

Priority 4 is answered "when commercially feasible based on mutual agreement": an agreement
records the agreed date (`target`), which becomes the P4's deadline in sla-timer. A later
agreement supersedes an earlier one while that one's date has not passed; a fee quote from
billing may be named.

Every check raises `TicketRuleViolation` with a reason code; the functions here are pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from hotline_intake.domain.violation import TicketRuleViolation

MAX_SLOT = timedelta(hours=24)
"""The longest slot one request may name (longer work is requested as several slots)."""
MAX_AHEAD = timedelta(days=90)
"""How far ahead a slot may start."""
MAX_REQUESTS = 50
"""Requests per ticket, decided or not."""
REASON_MAX = 2000
MAX_AGREEMENT_AHEAD = timedelta(days=366)
"""How far ahead an agreed P4 date may lie."""
MAX_AGREEMENTS = 50

PENDING, ACCEPTED, DECLINED = "requested", "accepted", "declined"
REQUEST_ID = re.compile(r"^OH-(\d{6,})-(\d{1,3})$")


def request_id(number: str, n: int) -> str:
    """`T-000042`, 1 → `OH-000042-1`."""
    return f"OH-{number.removeprefix('T-')}-{n}"


def ticket_of_request(request: str) -> str:
    """`OH-000042-1` → `T-000042`; `TicketRuleViolation` `bad_request_id` for anything else."""
    found = REQUEST_ID.match(request)
    if found is None:
        raise TicketRuleViolation("bad_request_id", f"{request!r} is not an off-hours request id "
                                  "(they look like OH-000042-1)")
    return f"T-{found.group(1)}"


def check_request(ticket: Any, *, start: datetime, end: datetime, now: datetime,
                  off_hours_minutes: int) -> None:
    """Whether `ticket` (as it stands) may ask for the slot [start, end) at `now`;
    `off_hours_minutes` is the slot's part outside Standard Support Hours."""
    number = ticket.number
    if ticket.priority == 1:
        raise TicketRuleViolation(
            "p1_needs_no_schedule", f"{number} is Priority 1: off-hours support for Priority 1 "
            "is available as needed, without scheduling")
    if ticket.status != "open":
        raise TicketRuleViolation(ticket.status, f"{number} is {ticket.status}; off-hours work "
                                  "is scheduled for open tickets")
    if end <= start:
        raise TicketRuleViolation("bad_interval", "an off-hours slot must end after it starts")
    if end - start > MAX_SLOT:
        raise TicketRuleViolation(
            "slot_too_long", f"an off-hours slot may span at most {MAX_SLOT.total_seconds() / 3600:g} h; "
            "request longer work as several slots")
    if start <= now:
        raise TicketRuleViolation(
            "not_in_advance", f"the slot starts at {start.isoformat()}, not after now "
            f"({now.isoformat()}); off-hours work is scheduled in advance")
    if start - now > MAX_AHEAD:
        raise TicketRuleViolation(
            "too_far_ahead", f"the slot starts more than {MAX_AHEAD.days} days ahead")
    if off_hours_minutes == 0:
        raise TicketRuleViolation(
            "not_off_hours", f"{start.isoformat()} – {end.isoformat()} lies within Standard "
            "Support Hours; no scheduling is needed")
    requests = requests_of(ticket)
    if len(requests) >= MAX_REQUESTS:
        raise TicketRuleViolation("too_many_requests", f"{number} has {len(requests)} off-hours "
                                  "requests, the most one ticket may have")
    for other in requests:
        if other["status"] != DECLINED and start < other["end"] and other["start"] < end:
            raise TicketRuleViolation(
                "overlapping_request", f"{other['request_id']} ({other['status']}) already covers "
                f"{other['start'].isoformat()} – {other['end'].isoformat()}")


def check_decision(ticket: Any, request: str, *, accept: bool, reason: str | None,
                   now: datetime) -> dict[str, Any]:
    """The pending request `request` of `ticket`, if the NOC may decide it now."""
    found = next((r for r in requests_of(ticket) if r["request_id"] == request), None)
    if found is None:
        raise TicketRuleViolation("no_request", f"{ticket.number} has no off-hours request {request}")
    if found["status"] != PENDING:
        raise TicketRuleViolation(
            "already_decided", f"{request} was {found['status']} at {found['decided_at'].isoformat()}")
    if not accept and not (reason or "").strip():
        raise TicketRuleViolation("no_reason", "declining an off-hours request needs a reason")
    if accept and found["end"] <= now:
        raise TicketRuleViolation("slot_passed", f"the slot of {request} ended at "
                                  f"{found['end'].isoformat()}; it can only be declined")
    return found


def accepted_slot(ticket: Any, start: datetime, end: datetime) -> dict[str, Any] | None:
    """The accepted request whose slot holds [start, end), if any."""
    return next((r for r in requests_of(ticket)
                 if r["status"] == ACCEPTED and r["start"] <= start and end <= r["end"]), None)


def requests_of(ticket: Any) -> list[dict[str, Any]]:
    return getattr(ticket, "off_hours_requests", [])


def check_agreement(ticket: Any, *, target: datetime, at: datetime) -> None:
    """Whether a P4 agreement with the date `target` may be recorded at `at`."""
    number = ticket.number
    if ticket.priority != 4:
        raise TicketRuleViolation(
            "not_p4", f"{number} is Priority {ticket.priority}; agreed dates are for Priority 4 "
            "requests (the others have contract targets)")
    if ticket.status != "open":
        raise TicketRuleViolation(ticket.status, f"{number} is {ticket.status}; an agreement is "
                                  "recorded for an open request")
    if target <= at:
        raise TicketRuleViolation("target_passed", f"the agreed date {target.isoformat()} is not "
                                  f"after now ({at.isoformat()})")
    if target - at > MAX_AGREEMENT_AHEAD:
        raise TicketRuleViolation("too_far_ahead", f"the agreed date lies more than "
                                  f"{MAX_AGREEMENT_AHEAD.days} days ahead")
    agreements = getattr(ticket, "agreements", [])
    if len(agreements) >= MAX_AGREEMENTS:
        raise TicketRuleViolation("too_many_agreements", f"{number} has {len(agreements)} agreements")
    if agreements and agreements[-1]["target"] <= at:
        raise TicketRuleViolation(
            "agreement_passed", f"the agreed date {agreements[-1]['target'].isoformat()} has "
            "passed; its breach stands (record the outcome on the ticket instead)")


# -- a slot named in an email reply --------------------------------------------------------------

SLOT_LINE = re.compile(
    r"^[\s>]*off[- ]?hours(?:\s+(?:slot|support|work))?\s*:\s*(?P<start>.+?)\s+(?:to|until|–|—|-)\s+"
    r"(?P<end>.+?)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class NamedSlot:
    """A slot a customer's email names; `error` says why it could not be read."""

    start: datetime | None
    end: datetime | None
    error: str | None = None


def slot_in_reply(text: str, zone: tzinfo) -> NamedSlot | None:
    """The slot named by a line `Off-hours: <start> to <end>` in the reply's own text (quoted
    lines, which start with `>`, are not read), or None. Times are ISO-8601; without an offset
    they are in the support calendar's `zone`, e.g. `Off-hours: 2026-12-05 20:00 to 2026-12-05 23:00`."""
    own = "\n".join(line for line in text.splitlines()[:400] if not line.lstrip().startswith(">"))
    found = SLOT_LINE.search(own)
    if found is None:
        return None
    try:
        start, end = (_instant(found.group(k), zone) for k in ("start", "end"))
    except ValueError:
        return NamedSlot(None, None, "the off-hours slot could not be read; write it as "
                         "`Off-hours: 2026-12-05 20:00 to 2026-12-05 23:00` (Pacific time, or "
                         "ISO-8601 with an offset)")
    return NamedSlot(start, end)


def _instant(text: str, zone: tzinfo) -> datetime:
    value = datetime.fromisoformat(text.strip()[:40])
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
