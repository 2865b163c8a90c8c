"""OutageReviews: intake's use cases of outage reviews (a mixin of `IntakeApplication`).

A review opens by itself with the ticket it belongs to, in the same transaction: a P1 received
in Off Hours (`p1-off-hours`), or a ticket raised to P1 at an instant in Off Hours
(`raised-to-p1-off-hours`); an agent may open one by hand (`by-hand`). Work-log entries have
their off-hours part measured here on the support calendar: the entry's length less the
Standard Support Hours inside it, in whole minutes rounded up. The outcome is recorded only
once the ticket is resolved (or closed). Events are published on `hotline.reviews.v1` by the
reviews relay (`review_publication`).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from hotline.calendar import SupportCalendar
from hotline.clock import Clock
from hotline_intake.domain import offhours
from hotline_intake.domain.review import MAX_ENTRY, NOTE_MAX, OutageReview, review_id
from hotline_intake.domain.ticket import CLOSED, RESOLVED, Ticket, TicketRuleViolation


class NoReview(LookupError):
    pass


def minutes(span: timedelta) -> int:
    """Whole minutes, rounded up (a started minute counts)."""
    return math.ceil(span.total_seconds() / 60 - 1e-9) if span > timedelta(0) else 0


def off_hours(calendar: SupportCalendar, start: datetime, end: datetime) -> timedelta:
    """The part of [start, end) outside Standard Support Hours."""
    return (end - start) - calendar.elapsed(start, end)


def off_hours_minutes(calendar: SupportCalendar, start: datetime, end: datetime,
                      longest: timedelta) -> int:
    """The off-hours part of [start, end) in whole minutes; 0 for an interval the rules refuse
    anyway (reversed, or longer than `longest`), so one of centuries is never walked on the
    calendar."""
    if not start < end <= start + longest:
        return 0
    return minutes(off_hours(calendar, start, end))


def review_owed(ticket: Ticket, calendar: SupportCalendar, at: datetime, because: str,
                actor: dict[str, str] | None) -> OutageReview | None:
    """The review a P1 in Off Hours opens: for `ticket` as it stands at `at`, if none exists."""
    if ticket.priority != 1 or calendar.is_open(at):
        return None
    return OutageReview(ticket_id=ticket.id, number=ticket.number, customer=ticket.customer,
                        priority=1, opened_at=at, because=because, note=None, actor=actor)


class OutageReviews:
    """Part of `IntakeApplication`: uses its `repository`, `save`, `calendar`, `clock` and
    `get_ticket`."""

    calendar: SupportCalendar
    clock: Clock
    repository: Any

    def get_review(self, number: str) -> OutageReview:
        ticket = self.get_ticket(number)  # type: ignore[attr-defined]
        try:
            return self.repository.get(review_id(ticket.id))
        except AggregateNotFoundError:
            raise NoReview(number) from None

    def has_review(self, ticket: Ticket) -> bool:
        return review_id(ticket.id) in self.repository

    def open_review(self, number: str, *, note: str | None = None,
                    actor: dict[str, str] | None = None) -> OutageReview:
        """Open a review by hand (any priority, any time)."""
        ticket = self.get_ticket(number)  # type: ignore[attr-defined]
        if self.has_review(ticket):
            raise TicketRuleViolation("review_exists", f"{number} already has an outage review")
        review = OutageReview(ticket_id=ticket.id, number=ticket.number, customer=ticket.customer,
                              priority=ticket.priority, opened_at=self.clock.now(),
                              because="by-hand", note=note, actor=actor)
        self.save(review)  # type: ignore[attr-defined]
        return review

    def log_work(self, number: str, *, start: datetime, end: datetime, engineer: str, note: str,
                 actor: dict[str, str] | None = None, entry_id: UUID | None = None) -> Any:
        """Log an engineer's work against the ticket's review; on a ticket without one, against
        the accepted off-hours slot that holds the entry (returns the ticket then)."""
        start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
        ticket = self.get_ticket(number)  # type: ignore[attr-defined]
        if start < ticket.received_at:
            raise TicketRuleViolation(
                "before_ticket", f"{start.isoformat()} is before {number} was received "
                f"({ticket.received_at.isoformat()})")
        if not self.has_review(ticket) and (slot := offhours.accepted_slot(ticket, start, end)):
            entry = dict(entry_id=entry_id or uuid4(), engineer=engineer, start=start, end=end,
                         note=note[:NOTE_MAX], minutes=minutes(end - start),
                         off_hours_minutes=off_hours_minutes(self.calendar, start, end, MAX_ENTRY),
                         logged_at=self.clock.now())
            ticket.log_off_hours_work(slot, entry=entry, at=entry["logged_at"], by=engineer,
                                      actor=actor)
            self.save(ticket)  # type: ignore[attr-defined]
            return ticket
        review = self._review_of(number, "log work")
        review.log_work(entry_id=entry_id or uuid4(), engineer=engineer, start=start, end=end,
                        note=note, minutes=minutes(end - start),
                        off_hours_minutes=off_hours_minutes(self.calendar, start, end, MAX_ENTRY),
                        logged_at=self.clock.now(), calendar_version=self.calendar.version,
                        actor=actor)
        self.save(review)  # type: ignore[attr-defined]
        return review

    def record_review(self, number: str, *, outcome: str, reason: str,
                      actor: dict[str, str] | None = None) -> OutageReview:
        """Record (or supersede) the review's outcome, once the ticket is resolved."""
        review = self._review_of(number, "record its outcome")
        ticket = self.get_ticket(number)  # type: ignore[attr-defined]
        if ticket.status not in (RESOLVED, CLOSED):
            raise TicketRuleViolation(
                "not_resolved", f"{number} is {ticket.status}; an outage review is recorded after "
                "the ticket's resolution")
        review.record(outcome=outcome, reason=reason, recorded_at=self.clock.now(),
                      priority=ticket.priority, calendar_version=self.calendar.version, actor=actor)
        self.save(review)  # type: ignore[attr-defined]
        return review

    def _review_of(self, number: str, doing: str) -> OutageReview:
        try:
            return self.get_review(number)
        except NoReview:
            raise TicketRuleViolation(
                "no_review", f"{number} has no outage review; open one first "
                f"(`hotline review open {number}`) to {doing}, or, for work in an off-hours "
                "slot, have the slot accepted and log work inside it") from None
