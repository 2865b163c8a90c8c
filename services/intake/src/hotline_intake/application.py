"""IntakeApplication: the use cases that turn submissions into Ticket events.

Each method is load → act → save. The event store (PostgreSQL, schema `intake`)
is the source of truth; the relay publishes what is saved here. Its recorder also keeps the
submission log and the full text of long descriptions in the same transactions
(`adapters.submission_log`); what a submission became when it opened no ticket is recorded by
`SubmissionRecords`. Every command records its `actor` (`{"name": ..., "role": ...}`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.popo import POPOFactory
from eventsourcing.postgres import PostgresFactory

from hotline import versions
from hotline.calendar import SupportCalendar, format_duration
from hotline.clock import Clock, HeldClock
from hotline_intake.adapters.submission_log import SubmissionLogRecorder
from hotline_intake.adapters.submission_log_memory import MemorySubmissionLogRecorder
from hotline_intake.domain.fields import Description
from hotline_intake.domain.ticket import Ticket, TicketRuleViolation, ticket_id
from hotline_intake.reviews import OutageReviews, review_owed
from hotline_intake.scheduling import OffHoursScheduling
from hotline_intake.submission_records import SubmissionRecords

log = logging.getLogger(__name__)


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
        "deliver_rfo", "The Reason for Outage: with its text, Hotline emails it to the customer's "
        "contact (the RFO clock stops when it is sent); without, record it was delivered."),
    "agree": LifecycleCommand(
        "agree", "Record the date agreed with the customer for a Priority 4 request: its "
        "deadline, with warnings and a breach; a later agreement supersedes it."),
}
"""Lifecycle commands by their API name: the one list the HTTP API and the CLI are built from."""


class TicketNumbers(Protocol):
    def next(self) -> str: ...


class TicketNotFound(LookupError):
    pass


class IntakeApplication(OutageReviews, OffHoursScheduling, SubmissionRecords, Application):
    name = "intake"

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        numbers: TicketNumbers,
        calendar: SupportCalendar,
        clock: Clock,
        max_backdate: timedelta = timedelta(minutes=15),
        duplicate_window: timedelta = timedelta(days=7),
    ) -> None:
        # the recorder's first saves (versions in force) read it; an admission holds one instant
        self.clock = HeldClock(clock)
        self.duplicate_window = duplicate_window
        super().__init__(env=env)
        self.numbers = numbers
        self.calendar = calendar
        self.max_backdate = max_backdate
        versions.record_in_force(self, versions.in_force(None, calendar), clock.now(), "intake")

    def construct_recorder(self) -> Any:
        if isinstance(self.factory, PostgresFactory):
            recorder = SubmissionLogRecorder(
                self.factory.datastore, events_table_name=f"{self.env.name.lower()}_events")
            if self.factory.env_create_table():
                recorder.create_table()
            return recorder
        if isinstance(self.factory, POPOFactory):
            return MemorySubmissionLogRecorder()
        return super().construct_recorder()

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
        attachments_omitted: int = 0,
        actor: dict[str, str] | None = None,
        follow_up_of: str | None = None,
        caller: str | None = None,
        callback: str | None = None,
        idempotency: dict[str, str] | None = None,
    ) -> Ticket:
        """Open a ticket. A description over 64 KiB is kept whole beside the event, which
        carries its first 64 KiB (`full_description` returns all of it). A telephone call
        (channel `phone`) is received at the time of the call (checked by `backdated`) and
        records its `caller` and `callback` number. `idempotency`: an HTTP request's key (see
        `admission.Admission.request`)."""
        received_at = received_at or self.clock.now()
        text = Description.of(description)
        ticket = Ticket(
            number=self.numbers.next(),
            customer=customer,
            location=location,
            issue=issue,
            description=text.preview,
            description_truncated=text.truncated,
            description_bytes=text.size,
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
            attachments_omitted=attachments_omitted,
            actor=actor,
            follow_up_of=follow_up_of,
            caller=caller,
            callback=callback,
            idempotency=idempotency,
        )
        whole = (ticket.id, description) if text.truncated else None
        review = review_owed(ticket, self.calendar, received_at, "p1-off-hours", actor)
        self._save_submission(ticket, *([review] if review else []), description=whole)
        return ticket

    def change_ticket(
        self,
        number: str,
        command: str,
        *,
        at: datetime | None = None,
        by: str | None = None,
        note: str | None = None,
        trace_context: dict[str, str] | None = None,
        actor: dict[str, str] | None = None,
        **arguments: Any,
    ) -> Ticket:
        """Apply one lifecycle command (see `LIFECYCLE`) to a ticket: load, act, save. `at`
        (default now) may lie up to `max_backdate` before now; the event records both."""
        ticket = self.get_ticket(number)
        now = self.clock.now()
        at = self.backdated(at, now)
        getattr(ticket, LIFECYCLE[command].method)(
            at=at, recorded_at=now, by=by, note=note, trace_context=trace_context or {},
            actor=actor, **arguments)
        review = (review_owed(ticket, self.calendar, at, "raised-to-p1-off-hours", actor)
                  if command == "priority" and not self.has_review(ticket) else None)
        self.save(ticket, *([review] if review else []))
        return ticket

    def backdated(self, at: datetime | None, now: datetime | None = None) -> datetime:
        """`at` (default now) in UTC, the instant a command or a telephone call is recorded at:
        `TicketRuleViolation` `in_future` when later than now, `too_far_back` when more than
        `max_backdate` (HOTLINE_INTAKE_MAX_BACKDATE) before now."""
        now = now or self.clock.now()
        at = (at or now).astimezone(timezone.utc)  # instants are kept in UTC
        if at > now:
            raise TicketRuleViolation(
                "in_future", f"{at.isoformat()} is later than now ({now.isoformat()})")
        if at < now - self.max_backdate:
            raise TicketRuleViolation(
                "too_far_back", f"{at.isoformat()} is more than {format_duration(self.max_backdate)} "
                f"before now ({now.isoformat()}); changes and telephone calls may be back-dated "
                "at most that far (HOTLINE_INTAKE_MAX_BACKDATE)")
        return at

    def add_customer_reply(
        self, number: str, *, author: str, text: str, received_at: datetime,
        attachments: list[dict[str, Any]] | None = None, message_id: str | None = None,
        in_reply_to: str | None = None, reopens: bool = True,
        trace_context: dict[str, str] | None = None, actor: dict[str, str] | None = None,
        channel: str = "email",
    ) -> tuple[Ticket, UUID, list[str] | None]:
        """Thread a customer's emailed reply into its ticket (see `Ticket.customer_replied`).
        Returns the ticket, the comment's id and what followed on the clocks; None instead of
        that list when the same email (author, Message-ID) was threaded before: nothing new."""
        ticket = self.get_ticket(number)
        comment_id = _comment_id(ticket, f"email:{author}:{message_id}" if message_id else None)
        if ticket.has_comment(comment_id):
            return ticket, comment_id, None
        followed = ticket.customer_replied(
            at=received_at.astimezone(timezone.utc), reopens=reopens, channel=channel, comment_id=comment_id,
            author=author, text=text, attachments=attachments, message_id=message_id,
            in_reply_to=in_reply_to, recorded_at=self.clock.now(),
            trace_context=trace_context or {}, actor=actor)
        self.save(ticket)
        return ticket, comment_id, followed

    def reply(
        self, number: str, *, message: str, internal: bool = False, by: str | None = None,
        trace_context: dict[str, str] | None = None, actor: dict[str, str] | None = None,
    ) -> Ticket:
        """An agent's reply (public: part of the conversation with the customer) or internal
        note, now."""
        ticket = self.get_ticket(number)
        now = self.clock.now()
        ticket.add_comment(
            comment_id=_comment_id(ticket, None), author=by or (actor or {}).get("name") or "agent",
            author_kind="agent", visibility="internal" if internal else "public", text=message,
            channel="http", at=now, recorded_at=now, by=by, trace_context=trace_context or {},
            actor=actor)
        self.save(ticket)
        return ticket

    def get_ticket(self, number: str) -> Ticket:
        try:
            return self.repository.get(ticket_id(number))
        except AggregateNotFoundError:
            raise TicketNotFound(number) from None

    def full_description(self, number: str) -> str:
        """A ticket's whole description (its events carry only the first 64 KiB of a longer one)."""
        ticket = self.get_ticket(number)
        if not getattr(ticket, "description_truncated", False):
            return ticket.description
        full = self.recorder.description(ticket.id)
        if full is None:  # cannot happen: the row is written with the event
            log.error("%s: the full description is missing; returning its preview", number)
        return full if full is not None else ticket.description


def _comment_id(ticket: Ticket, cause: str | None) -> UUID:
    """A comment's id, derived from its cause (an email: its author and Message-ID), else from
    its place in the ticket's history."""
    return uuid5(ticket.id, cause or f"comment@{ticket.version + 1}")
