"""The Ticket aggregate: a customer's support event, from opening to closing.

The ticket number is human-readable and sequential (`T-000001`); the aggregate id
is derived from it, so a number can never belong to two tickets. Lifecycle
commands check that they fit the ticket's state and time line and raise a
`TicketRuleViolation` with a reason code and a sentence when they do not. Every event records
its `actor` (`{"name": ..., "role": ...}`: a token's, or an email sender's with role `email`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hotline.contracts import ticket_id_for as ticket_id


class Ticket(Aggregate):
    @staticmethod
    def create_id(number: str, **_: Any) -> UUID:
        return ticket_id(number)

    @event("Opened")
    def __init__(
        self,
        *,
        number: str,
        customer: str,
        location: str,
        issue: str,
        description: str,
        priority: int,
        priority_defaulted: bool,
        channel: str,
        contact: str,
        received_at: datetime,
        off_hours: bool,
        calendar_version: str,
        attachments: list[dict[str, Any]],
        message_id: str | None,
        trace_context: dict[str, str],
        description_truncated: bool = False,
        description_bytes: int | None = None,
        attachments_omitted: int = 0,
        actor: dict[str, str] | None = None,
    ) -> None:
        self.number = number
        self.customer = customer
        self.location = location
        self.issue = issue
        self.description = description  # all of it, or its first 64 KiB (`description_truncated`)
        self.description_truncated = description_truncated
        self.priority = priority
        self.priority_defaulted = priority_defaulted
        self.channel = channel
        self.contact = contact
        self.received_at = received_at
        self.off_hours = off_hours
        self.calendar_version = calendar_version
        self.attachments = attachments
        self.message_id = message_id
        self.status = OPEN
        self.last_change_at = received_at
        self.responded_at: datetime | None = None
        self.workaround_at: datetime | None = None
        self.resolved_at: datetime | None = None
        self.closed_at: datetime | None = None
        self.waiting_on_customer = False
        self.rfo_delivered_at: datetime | None = None

    # -- commands: check, then record ------------------------------------------------
    def record_first_response(self, at: datetime, **change: Any) -> None:
        if self.status == CLOSED:  # a resolved ticket may still record its first response
            raise TicketRuleViolation(CLOSED, f"{self.number} is closed; cannot record a first response")
        if self.responded_at is not None:
            raise TicketRuleViolation(
                "already_responded", f"{self.number} was first responded to at {_iso(self.responded_at)}")
        self._check_time(at)
        self._first_response_given(at=at, number=self.number, **change)

    def provide_workaround(self, at: datetime, **change: Any) -> None:
        self._check_open("provide a work-around")
        if self.workaround_at is not None:
            raise TicketRuleViolation(
                "already_worked_around", f"{self.number} has had a work-around since {_iso(self.workaround_at)}")
        self._check_time(at)
        self._workaround_provided(at=at, number=self.number, **change)

    def resolve(self, at: datetime, **change: Any) -> None:
        self._check_open("resolve it")
        self._check_time(at)
        self._resolved(at=at, number=self.number, **change)

    def reopen(self, at: datetime, **change: Any) -> None:
        if self.status != RESOLVED:
            raise TicketRuleViolation(
                "not_resolved", f"{self.number} is {self.status}; only a resolved ticket can be reopened")
        self._check_time(at)
        self._reopened(at=at, number=self.number, **change)

    def close(self, at: datetime, **change: Any) -> None:
        if self.status != RESOLVED:
            raise TicketRuleViolation(
                "not_resolved", f"{self.number} is {self.status}; resolve it before closing it")
        self._check_time(at)
        self._closed(at=at, number=self.number, **change)

    def change_priority(self, priority: int, at: datetime, **change: Any) -> None:
        if self.status == CLOSED:
            raise TicketRuleViolation("closed", f"{self.number} is closed; its priority is final")
        if priority not in (1, 2, 3, 4):
            raise TicketRuleViolation("bad_priority", f"priority must be 1–4, not {priority}")
        if priority == self.priority:
            raise TicketRuleViolation("same_priority", f"{self.number} already is Priority {priority}")
        self._check_time(at)
        self._priority_changed(from_priority=self.priority, priority=priority, at=at, number=self.number, **change)

    def wait_on_customer(self, at: datetime, **change: Any) -> None:
        self._check_open("wait on the customer")
        if self.waiting_on_customer:
            raise TicketRuleViolation("already_waiting", f"{self.number} is already waiting on the customer")
        self._check_time(at)
        self._waiting_on_customer(at=at, number=self.number, **change)

    def customer_responded(self, at: datetime, **change: Any) -> None:
        if not self.waiting_on_customer:
            raise TicketRuleViolation("not_waiting", f"{self.number} is not waiting on the customer")
        self._check_time(at)
        self._customer_responded(at=at, number=self.number, **change)

    def deliver_rfo(self, at: datetime, **change: Any) -> None:
        if self.priority == 4:
            raise TicketRuleViolation("no_rfo", "Priority 4 requests have no Reason for Outage")
        if self.rfo_delivered_at is not None:
            raise TicketRuleViolation(
                "rfo_already_delivered", f"the RFO of {self.number} was delivered at {_iso(self.rfo_delivered_at)}")
        if self.resolved_at is None and self.workaround_at is None:
            raise TicketRuleViolation(
                "outage_not_restored", f"{self.number} has no work-around or resolution yet; "
                "a Reason for Outage follows the restoration of service")
        self._check_time(at)
        self._rfo_delivered(at=at, number=self.number, **change)

    # -- guards ---------------------------------------------------------------------------
    def _check_open(self, doing: str) -> None:
        if self.status != OPEN:
            raise TicketRuleViolation(self.status, f"{self.number} is {self.status}; cannot {doing}")

    def _check_time(self, at: datetime) -> None:
        if at < self.last_change_at:
            raise TicketRuleViolation(
                "out_of_order", f"{_iso(at)} is before the ticket's last change at "
                f"{_iso(self.last_change_at)}; changes are recorded in time order")

    # -- events ---------------------------------------------------------------------------
    @event("FirstResponseGiven")
    def _first_response_given(self, number: str, at: datetime, by: str | None, note: str | None,
                              trace_context: dict[str, str], recorded_at: datetime | None = None,
                              actor: dict[str, str] | None = None) -> None:
        self.responded_at = self.last_change_at = at

    @event("WorkaroundProvided")
    def _workaround_provided(self, number: str, at: datetime, by: str | None, note: str | None,
                             trace_context: dict[str, str], recorded_at: datetime | None = None,
                             actor: dict[str, str] | None = None) -> None:
        self.workaround_at = self.last_change_at = at

    @event("Resolved")
    def _resolved(self, number: str, at: datetime, by: str | None, note: str | None,
                  trace_context: dict[str, str], recorded_at: datetime | None = None,
                  actor: dict[str, str] | None = None) -> None:
        self.resolved_at = self.last_change_at = at
        self.status = RESOLVED
        self.waiting_on_customer = False

    @event("Reopened")
    def _reopened(self, number: str, at: datetime, by: str | None, note: str | None,
                  trace_context: dict[str, str], recorded_at: datetime | None = None,
                  actor: dict[str, str] | None = None) -> None:
        self.last_change_at = at
        self.resolved_at = None
        self.status = OPEN

    @event("Closed")
    def _closed(self, number: str, at: datetime, by: str | None, note: str | None,
                trace_context: dict[str, str], recorded_at: datetime | None = None,
                actor: dict[str, str] | None = None) -> None:
        self.closed_at = self.last_change_at = at
        self.status = CLOSED

    @event("PriorityChanged")
    def _priority_changed(self, number: str, from_priority: int, priority: int, at: datetime, by: str | None,
                          note: str | None, trace_context: dict[str, str], recorded_at: datetime | None = None,
                          actor: dict[str, str] | None = None) -> None:
        self.priority = priority
        self.last_change_at = at

    @event("WaitingOnCustomer")
    def _waiting_on_customer(self, number: str, at: datetime, by: str | None, note: str | None,
                             trace_context: dict[str, str], recorded_at: datetime | None = None,
                             actor: dict[str, str] | None = None) -> None:
        self.waiting_on_customer = True
        self.last_change_at = at

    @event("CustomerResponded")
    def _customer_responded(self, number: str, at: datetime, by: str | None, note: str | None,
                            trace_context: dict[str, str], recorded_at: datetime | None = None,
                            actor: dict[str, str] | None = None) -> None:
        self.waiting_on_customer = False
        self.last_change_at = at

    @event("RfoDelivered")
    def _rfo_delivered(self, number: str, at: datetime, by: str | None, note: str | None,
                       trace_context: dict[str, str], recorded_at: datetime | None = None,
                       actor: dict[str, str] | None = None, text: str | None = None) -> None:
        self.rfo_delivered_at = self.last_change_at = at


OPEN, RESOLVED, CLOSED = "open", "resolved", "closed"


class TicketRuleViolation(Exception):
    """A command that does not fit the ticket's state; `reason` is a short code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _iso(at: datetime) -> str:
    return at.isoformat()
