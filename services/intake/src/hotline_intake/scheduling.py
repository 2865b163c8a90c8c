"""OffHoursScheduling: intake's use cases of scheduled off-hours work (a mixin of
`IntakeApplication`; the rules are in `domain.offhours`).

A request's slot has its off-hours part measured here, on the support calendar. The NOC's
decision is found by the request id alone (`OH-000042-1` names ticket T-000042). A customer's
email reply that names a slot (`Off-hours: <start> to <end>`) requests it too; a slot so named
that breaks a rule is recorded and declined at once with the rule's sentence, so the customer
is told why by email, and the reply itself is threaded as usual. The events are published on
`hotline.tickets.v1` by the tickets relay; sla-timer ignores them (no clock moves).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from hotline.calendar import SupportCalendar
from hotline.clock import Clock
from hotline_intake.domain import offhours
from hotline_intake.domain.ticket import Ticket, TicketRuleViolation
from hotline_intake.reviews import off_hours_minutes


class UnreadableSlot(ValueError):
    """A reply's `Off-hours:` line that names no readable slot (the sender is told)."""


class OffHoursScheduling:
    """Part of `IntakeApplication`: uses its `save`, `calendar`, `clock` and `get_ticket`."""

    calendar: SupportCalendar
    clock: Clock

    def request_off_hours(self, number: str, *, start: datetime, end: datetime,
                          requested_by: str, channel: str = "http", note: str | None = None,
                          actor: dict[str, str] | None = None,
                          trace_context: dict[str, str] | None = None) -> tuple[Ticket, str]:
        """Ask for an off-hours slot on a Priority 2–4 ticket; returns the ticket and the id."""
        ticket = self.get_ticket(number)  # type: ignore[attr-defined]
        start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
        request = ticket.request_off_hours(
            start=start, end=end, off_hours_minutes=self._measured(start, end),
            requested_by=requested_by, channel=channel, at=self.clock.now(), note=note,
            by=requested_by, actor=actor, trace_context=trace_context or {})
        self.save(ticket)  # type: ignore[attr-defined]
        return ticket, request

    def decide_off_hours(self, request: str, *, accept: bool, reason: str | None = None,
                         by: str | None = None, actor: dict[str, str] | None = None,
                         trace_context: dict[str, str] | None = None) -> Ticket:
        """The NOC accepts or declines `request` (e.g. `OH-000042-1`)."""
        ticket = self.get_ticket(offhours.ticket_of_request(request))  # type: ignore[attr-defined]
        ticket.decide_off_hours(request, accept=accept, reason=reason, at=self.clock.now(), by=by,
                                actor=actor, trace_context=trace_context or {})
        self.save(ticket)  # type: ignore[attr-defined]
        return ticket

    def off_hours_from_reply(self, number: str, *, text: str, sender: str,
                             actor: dict[str, str] | None = None,
                             trace_context: dict[str, str] | None = None) -> str | None:
        """The request a customer's reply names, if it names a slot: requested, or (when it
        breaks a rule) declined at once with the reason. Returns the request id, or None.
        `UnreadableSlot` when its `Off-hours:` line cannot be read."""
        named = offhours.slot_in_reply(text, self.calendar.zone)
        if named is None:
            return None
        ticket = self.get_ticket(number)  # type: ignore[attr-defined]
        now = self.clock.now()
        if named.start is None or named.end is None:
            raise UnreadableSlot(named.error or "the off-hours slot could not be read")
        start, end = named.start.astimezone(timezone.utc), named.end.astimezone(timezone.utc)
        change: dict[str, Any] = dict(actor=actor, trace_context=trace_context or {}, by=sender)
        slot = dict(start=start, end=end, off_hours_minutes=self._measured(start, end),
                    requested_by=sender)
        try:
            request = ticket.request_off_hours(channel="email", at=now, **slot, **change)
        except TicketRuleViolation as violation:
            if violation.reason in ("p1_needs_no_schedule", "too_many_requests", "closed", "resolved"):
                return None  # nothing to schedule; the reply itself is threaded
            request = ticket.refuse_off_hours(reason=violation.message, at=now, **slot, **change)
        self.save(ticket)  # type: ignore[attr-defined]
        return request

    def _measured(self, start: datetime, end: datetime) -> int:
        """A slot's off-hours minutes (0 for one longer than a slot may be: refused anyway)."""
        return off_hours_minutes(self.calendar, start, end, offhours.MAX_SLOT)
