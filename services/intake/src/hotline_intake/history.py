"""Intake's part of a ticket's history, from its own event store: every Ticket event (the
lifecycle and the conversation) and the OutageReview's, each with a one-line summary; with
`as_of`, the ticket and its review as they stood then, rebuilt from the events recorded by then
(`hotline.history.standing`), never from a current view. Two reads: the ticket's events and the
review's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hotline import history
from hotline.contracts import ticket_id_for
from hotline_intake.application import IntakeApplication, TicketNotFound
from hotline_intake.domain.review import OutageReview, review_id
from hotline_intake.domain.ticket import Ticket
from hotline_intake.entrypoints.review_api import ReviewView

SERVICE = "intake"
LIFECYCLE = {
    "FirstResponseGiven": "first response given",
    "WorkaroundProvided": "work-around provided",
    "Resolved": "resolved",
    "Reopened": "reopened",
    "Closed": "closed",
    "WaitingOnCustomer": "waiting on the customer",
    "CustomerResponded": "the customer responded",
    "RfoDelivered": "Reason for Outage delivered",
}


def part(app: IntakeApplication, number: str, as_of: datetime | None = None) -> dict[str, Any]:
    """{"entries": [...], "state": {"ticket": ..., "review": ...}}; `TicketNotFound` if intake
    has no such ticket (before its opening, `as_of` finds no entries and no ticket)."""
    ticket_id = ticket_id_for(number)
    all_events = list(app.events.get(ticket_id))
    if not all_events:
        raise TicketNotFound(number)
    ticket_events = history.standing(all_events, as_of)
    review_events = history.standing(list(app.events.get(review_id(ticket_id))), as_of)
    entries = [ticket_entry(e) for e in ticket_events] + [review_entry(e) for e in review_events]
    state = None
    if as_of is not None:
        from hotline_intake.entrypoints.http import TicketView  # it includes this module's router

        ticket: Ticket | None = history.rebuild(ticket_events)
        review: OutageReview | None = history.rebuild(review_events)
        state = {"ticket": TicketView.of(ticket).model_dump(mode="json") if ticket else None,
                 "review": ReviewView.of(review).model_dump(mode="json") if review else None}
    return {"entries": entries, "state": state}


def ticket_entry(event: Any) -> dict[str, Any]:
    name = type(event).__name__
    who = _who(event)
    if name == "Opened":
        caller = getattr(event, "caller", None)
        source = f"{caller} (contact {event.contact})" if caller else event.contact
        summary = (f"opened P{event.priority} by {event.channel} from {source}: "
                   f"{event.customer} – {event.location} – {event.issue}")
    elif name == "PriorityChanged":
        summary = f"priority P{event.from_priority} → P{event.priority}{who}"
    elif name == "CommentAdded":
        kind = "note" if event.visibility == "internal" else "reply"
        summary = f"{event.author_kind} {kind} by {event.author}: {_first_line(event.text)}"
    elif name.startswith("OffHours"):
        summary = _slot_summary(name, event) + who
    elif name == "AgreementRecorded":
        quote = f", quote {event.quote_id}" if event.quote_id else ""
        summary = f"P4 date agreed (revision {event.revision}): {event.target.isoformat()}{quote}{who}"
    else:
        summary = LIFECYCLE.get(name, name) + who
        if getattr(event, "note", None):
            summary += f" ({_first_line(event.note)})"
    return history.entry(SERVICE, event, summary, kind=f"Ticket.{name}")


def review_entry(event: Any) -> dict[str, Any]:
    name = type(event).__name__
    at = None
    if name == "Opened":
        summary = f"outage review opened ({event.because})"
    elif name == "WorkLogged":
        e = event.entry
        at = e.get("logged_at")
        summary = (f"work logged by {e['engineer']}: {e['minutes']} min, "
                   f"{e['off_hours_minutes']} off-hours ({_first_line(e['note'])})")
    elif name == "Recorded":
        summary = f"review outcome (revision {event.revision}): {event.outcome}"
    else:
        summary = name
    return history.entry(SERVICE, event, summary, at=at, recorded_at=at, kind=f"OutageReview.{name}")


def _slot_summary(name: str, event: Any) -> str:
    slot = f"{event.request_id} {event.start.isoformat()} – {event.end.isoformat()}"
    if name == "OffHoursRequested":
        return f"off-hours slot requested by {event.channel}: {slot} ({event.off_hours_minutes} off-hours min)"
    if name == "OffHoursWorkLogged":
        e = event.entry
        return f"work logged in {event.request_id} by {e['engineer']}: {e['minutes']} min"
    verdict = "accepted" if name == "OffHoursAccepted" else "declined"
    reason = f": {_first_line(event.reason)}" if event.reason else ""
    return f"off-hours {slot} {verdict}{reason}"


def _who(event: Any) -> str:
    actor = getattr(event, "actor", None) or {}
    by = getattr(event, "by", None) or actor.get("name")
    return f" by {by}" if by else ""


def _first_line(text: str, width: int = 80) -> str:
    line = next((s.strip() for s in text.splitlines() if s.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"
