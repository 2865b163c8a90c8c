"""IntakeApplication: the use cases that turn submissions into Ticket events.

Each method is load → act → save. The event store (PostgreSQL, schema `intake`)
is the source of truth; the relay publishes what is saved here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application

from hotline import versions
from hotline.calendar import SupportCalendar, format_duration
from hotline.clock import Clock
from hotline_intake.domain.subject import EXPECTED_SUBJECT_FORMAT
from hotline_intake.domain.submission import RejectedSubmission
from hotline_intake.domain.ticket import Ticket, TicketRuleViolation, ticket_id


@dataclass(frozen=True)
class LifecycleCommand:
    method: str  # the Ticket method that checks and records it
    summary: str  # what it means, for the HTTP API and the CLI


LIFECYCLE = {
    "first-response": LifecycleCommand(
        "record_first_response", "Record the first response (stops the response clock)."),
    "workaround": LifecycleCommand(
        "provide_workaround", "Record a work-around (stops the resolution clock)."),
    "resolve": LifecycleCommand(
        "resolve", "Resolve with a permanent solution (stops resolution, starts the RFO clock)."),
    "reopen": LifecycleCommand("reopen", "Reopen a resolved ticket (resolution runs again)."),
    "close": LifecycleCommand("close", "Close a resolved ticket."),
    "priority": LifecycleCommand(
        "change_priority", "Change the priority; SLA targets are recomputed from the original start."),
    "waiting-on-customer": LifecycleCommand(
        "wait_on_customer", "Wait on the customer (pauses the resolution clock)."),
    "customer-responded": LifecycleCommand(
        "customer_responded", "The customer answered (resumes the resolution clock)."),
    "rfo": LifecycleCommand(
        "deliver_rfo", "Record that the Reason for Outage was delivered (stops the RFO clock)."),
}
"""Lifecycle commands by their API name: the one list the HTTP API and the CLI are built from."""


class TicketNumbers(Protocol):
    def next(self) -> str: ...


class TicketNotFound(LookupError):
    pass


class IntakeApplication(Application):
    name = "intake"

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        numbers: TicketNumbers,
        calendar: SupportCalendar,
        clock: Clock,
        max_backdate: timedelta = timedelta(minutes=15),
    ) -> None:
        super().__init__(env=env)
        self.numbers = numbers
        self.calendar = calendar
        self.clock = clock
        self.max_backdate = max_backdate
        versions.record_in_force(self, versions.in_force(None, calendar), clock.now(), "intake")

    def open_ticket(
        self,
        *,
        customer: str,
        location: str,
        issue: str,
        description: str,
        priority: int,
        priority_defaulted: bool,
        channel: str,
        contact: str,
        received_at: datetime | None = None,
        attachments: list[dict[str, Any]] | None = None,
        message_id: str | None = None,
        trace_context: dict[str, str] | None = None,
    ) -> Ticket:
        received_at = received_at or self.clock.now()
        ticket = Ticket(
            number=self.numbers.next(),
            customer=customer,
            location=location,
            issue=issue,
            description=description,
            priority=priority,
            priority_defaulted=priority_defaulted,
            channel=channel,
            contact=contact,
            received_at=received_at,
            off_hours=not self.calendar.is_open(received_at),
            calendar_version=self.calendar.version,
            attachments=attachments or [],
            message_id=message_id,
            trace_context=trace_context or {},
        )
        self.save(ticket)
        return ticket

    def reject_submission(
        self,
        *,
        channel: str,
        sender: str | None,
        subject: str | None,
        reason: str,
        detail: str,
        size: int | None = None,
        message_id: str | None = None,
        received_at: datetime | None = None,
        trace_context: dict[str, str] | None = None,
    ) -> UUID:
        rejection = RejectedSubmission(
            channel=channel,
            sender=sender,
            subject=subject,
            reason=reason,
            detail=detail,
            expected_format=EXPECTED_SUBJECT_FORMAT,
            received_at=received_at or self.clock.now(),
            size=size,
            message_id=message_id,
            trace_context=trace_context or {},
        )
        self.save(rejection)
        return rejection.id

    def change_ticket(
        self,
        number: str,
        command: str,
        *,
        at: datetime | None = None,
        by: str | None = None,
        note: str | None = None,
        trace_context: dict[str, str] | None = None,
        **arguments: Any,
    ) -> Ticket:
        """Apply one lifecycle command (see `LIFECYCLE`) to a ticket: load, act, save. `at`
        (default now) may lie up to `max_backdate` before now; the event records both."""
        ticket = self.get_ticket(number)
        now = self.clock.now()
        at = (at or now).astimezone(timezone.utc)  # instants are kept in UTC
        if at > now:
            raise TicketRuleViolation(
                "in_future", f"{at.isoformat()} is later than now ({now.isoformat()})")
        if at < now - self.max_backdate:
            raise TicketRuleViolation(
                "too_far_back", f"{at.isoformat()} is more than {format_duration(self.max_backdate)} "
                f"before now ({now.isoformat()}); changes may be back-dated at most that far "
                "(HOTLINE_INTAKE_MAX_BACKDATE)")
        getattr(ticket, LIFECYCLE[command].method)(
            at=at, recorded_at=now, by=by, note=note, trace_context=trace_context or {}, **arguments)
        self.save(ticket)
        return ticket

    def get_ticket(self, number: str) -> Ticket:
        try:
            return self.repository.get(ticket_id(number))
        except AggregateNotFoundError:
            raise TicketNotFound(number) from None
