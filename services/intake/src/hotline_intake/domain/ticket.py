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
from hotline_intake.domain import offhours
from hotline_intake.domain.violation import TicketRuleViolation
from hotline_intake.domain.work_log import check_entry


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
        follow_up_of: str | None = None,
        caller: str | None = None,
        callback: str | None = None,
        idempotency: dict[str, str] | None = None,
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
        self.follow_up_of = follow_up_of
        self.caller = caller  # a telephone call's (channel `phone`): who called
        self.callback = callback  # ... and the number to call back
        # an HTTP request's Idempotency-Key: {"caller", "key", "fingerprint"} (`admission`)
        self.idempotency = idempotency
        self.comments: list[dict[str, Any]] = []  # the conversation, in order
        self.off_hours_requests: list[dict[str, Any]] = []  # scheduled off-hours work (P2–P4)
        self.agreements: list[dict[str, Any]] = []  # P4 dates agreed; the last one stands

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

    # -- the conversation ----------------------------------------------------------------
    def add_comment(self, *, comment_id: UUID, author: str, author_kind: str, visibility: str,
                    text: str, channel: str, at: datetime,
                    attachments: list[dict[str, Any]] | None = None, message_id: str | None = None,
                    in_reply_to: str | None = None, **change: Any) -> None:
        """Add a message to the conversation. Comments do not move the ticket's time line (a
        lifecycle change may still be back-dated before one). A closed ticket takes internal
        notes only; a comment id already recorded is refused (`duplicate_comment`)."""
        if author_kind not in ("customer", "agent") or visibility not in ("public", "internal"):
            raise TicketRuleViolation("bad_comment", f"not a comment: {author_kind} / {visibility}")
        if self.status == CLOSED and visibility == "public":
            raise TicketRuleViolation(
                CLOSED, f"{self.number} is closed; it takes internal notes only (a customer's "
                "reply opens a follow-up ticket)")
        if self.has_comment(comment_id):
            raise TicketRuleViolation("duplicate_comment", f"{self.number} already has comment {comment_id}")
        if not text.strip():
            raise TicketRuleViolation("empty_comment", "a comment needs some text")
        truncated = len(text) > COMMENT_MAX_CHARS
        self._comment_added(
            number=self.number, comment_id=comment_id, author=author[:AUTHOR_MAX],
            author_kind=author_kind, visibility=visibility, text=text[:COMMENT_MAX_CHARS],
            text_truncated=truncated, attachments=list(attachments or []), channel=channel,
            message_id=message_id, in_reply_to=in_reply_to, at=at, **_change(change))

    def customer_replied(self, *, at: datetime, reopens: bool = True, channel: str = "email",
                         **comment: Any) -> list[str]:
        """A customer's emailed reply: a public comment, and the clocks follow. Waiting on the
        customer → customer-responded; resolved → reopened (when `reopens`). Both at the
        reply's receipt (or the ticket's last change, if that is later). A closed ticket is
        refused: its customer's reply opens a follow-up ticket instead. Returns what followed."""
        if self.status == CLOSED:
            raise TicketRuleViolation(
                CLOSED, f"{self.number} is closed; a reply to it opens a follow-up ticket")
        change = {k: comment.pop(k) for k in ("recorded_at", "trace_context", "actor") if k in comment}
        self.add_comment(author_kind="customer", visibility="public", channel=channel, at=at,
                         **comment, **change)
        followed: list[str] = []
        clock_at = max(at, self.last_change_at)
        why = _change({**change, "by": comment["author"], "note": f"the customer replied by {channel}"})
        if self.waiting_on_customer:
            self.customer_responded(at=clock_at, **why)
            followed.append("customer-responded")
        elif self.status == RESOLVED and reopens:
            self.reopen(at=clock_at, **why)
            followed.append("reopened")
        return followed

    def has_comment(self, comment_id: UUID) -> bool:
        return any(c["comment_id"] == comment_id for c in getattr(self, "comments", ()))


    # -- scheduled off-hours work and P4 agreements (rules: `offhours`) ---------------------
    def request_off_hours(self, *, start: datetime, end: datetime, off_hours_minutes: int,
                          requested_by: str, channel: str, at: datetime, **change: Any) -> str:
        """Ask the NOC for an off-hours slot; returns the request's id. Moves no clock."""
        offhours.check_request(self, start=start, end=end, now=at, off_hours_minutes=off_hours_minutes)
        request = self._next_request_id()
        self._off_hours_requested(
            **self._slot(request, start, end, off_hours_minutes), requested_by=requested_by[:AUTHOR_MAX],
            channel=channel, at=at, **_change(change))
        return request

    def decide_off_hours(self, request: str, *, accept: bool, reason: str | None, at: datetime,
                         **change: Any) -> None:
        """The NOC accepts or declines a pending request (declining needs a reason)."""
        found = offhours.check_decision(self, request, accept=accept, reason=reason, now=at)
        slot = self._slot(request, found["start"], found["end"], found["off_hours_minutes"])
        reason = (reason or "").strip()[:offhours.REASON_MAX] or None
        if accept:
            self._off_hours_accepted(**slot, reason=reason, at=at, **_change(change))
        else:
            self._off_hours_declined(**slot, reason=reason, at=at, **_change(change))

    def refuse_off_hours(self, *, start: datetime, end: datetime, off_hours_minutes: int,
                         requested_by: str, reason: str, at: datetime, **change: Any) -> str:
        """A slot a customer named by email that breaks a rule: recorded as requested and at
        once declined with the rule's sentence, so the customer is told why."""
        request = self._next_request_id()
        slot = self._slot(request, start, end, off_hours_minutes)
        self._off_hours_requested(**slot, requested_by=requested_by[:AUTHOR_MAX], channel="email",
                                  at=at, **_change(change))
        self._off_hours_declined(**slot, reason=reason[:offhours.REASON_MAX], at=at,
                                 **_change({**change, "by": "hotline"}))
        return request

    def log_off_hours_work(self, request: dict[str, Any], *, entry: dict[str, Any], at: datetime,
                           **change: Any) -> None:
        """Work inside the accepted slot `request` (found by `offhours.accepted_slot`)."""
        check_entry(request["work_log"], number=self.number, entry_id=entry["entry_id"],
                    engineer=entry["engineer"], start=entry["start"], end=entry["end"], logged_at=at)
        self._off_hours_work_logged(
            **self._slot(request["request_id"], request["start"], request["end"],
                         request["off_hours_minutes"]), entry=entry, at=at, **_change(change))

    def agree(self, target: datetime, at: datetime, quote_id: UUID | None = None, **change: Any) -> None:
        """Record the date agreed for a Priority 4 request: its deadline (sla-timer)."""
        offhours.check_agreement(self, target=target, at=at)
        self._check_time(at)
        self._agreement_recorded(number=self.number, customer=self.customer, target=target,
                                 quote_id=quote_id, revision=len(self.agreements) + 1, at=at,
                                 **_change(change))

    def _next_request_id(self) -> str:
        return offhours.request_id(self.number, len(offhours.requests_of(self)) + 1)

    def _slot(self, request: str, start: datetime, end: datetime, off_hours_minutes: int) -> dict[str, Any]:
        return dict(number=self.number, request_id=request, customer=self.customer, start=start,
                    end=end, off_hours_minutes=off_hours_minutes)

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

    @event("CommentAdded")
    def _comment_added(self, number: str, comment_id: UUID, author: str, author_kind: str,
                       visibility: str, text: str, text_truncated: bool,
                       attachments: list[dict[str, Any]], channel: str, message_id: str | None,
                       in_reply_to: str | None, at: datetime, by: str | None, note: str | None,
                       trace_context: dict[str, str], recorded_at: datetime | None = None,
                       actor: dict[str, str] | None = None) -> None:
        self.comments.append(dict(
            comment_id=comment_id, author=author, author_kind=author_kind, visibility=visibility,
            text=text, text_truncated=text_truncated, attachments=attachments, channel=channel,
            message_id=message_id, in_reply_to=in_reply_to, at=at, by=by))

    @event("RfoDelivered")
    def _rfo_delivered(self, number: str, at: datetime, by: str | None, note: str | None,
                       trace_context: dict[str, str], recorded_at: datetime | None = None,
                       actor: dict[str, str] | None = None, text: str | None = None) -> None:
        self.rfo_delivered_at = self.last_change_at = at

    @event("OffHoursRequested")
    def _off_hours_requested(self, number: str, request_id: str, customer: str, start: datetime,
                             end: datetime, off_hours_minutes: int, requested_by: str, channel: str,
                             at: datetime, by: str | None, note: str | None,
                             trace_context: dict[str, str], recorded_at: datetime | None = None,
                             actor: dict[str, str] | None = None) -> None:
        self.off_hours_requests.append(dict(
            request_id=request_id, start=start, end=end, off_hours_minutes=off_hours_minutes,
            requested_by=requested_by, channel=channel, requested_at=at, note=note,
            status=offhours.PENDING, decided_at=None, decided_by=None, reason=None, work_log=[]))

    def _decided(self, request_id: str, status: str, at: datetime, by: str | None,
                 actor: dict[str, str] | None, reason: str | None) -> None:
        for request in self.off_hours_requests:
            if request["request_id"] == request_id:
                request.update(status=status, decided_at=at, reason=reason,
                               decided_by=by or (actor or {}).get("name"))

    @event("OffHoursAccepted")
    def _off_hours_accepted(self, number: str, request_id: str, customer: str, start: datetime,
                            end: datetime, off_hours_minutes: int, reason: str | None, at: datetime,
                            by: str | None, note: str | None, trace_context: dict[str, str],
                            recorded_at: datetime | None = None,
                            actor: dict[str, str] | None = None) -> None:
        self._decided(request_id, offhours.ACCEPTED, at, by, actor, reason)

    @event("OffHoursDeclined")
    def _off_hours_declined(self, number: str, request_id: str, customer: str, start: datetime,
                            end: datetime, off_hours_minutes: int, reason: str | None, at: datetime,
                            by: str | None, note: str | None, trace_context: dict[str, str],
                            recorded_at: datetime | None = None,
                            actor: dict[str, str] | None = None) -> None:
        self._decided(request_id, offhours.DECLINED, at, by, actor, reason)

    @event("OffHoursWorkLogged")
    def _off_hours_work_logged(self, number: str, request_id: str, customer: str, start: datetime,
                               end: datetime, off_hours_minutes: int, entry: dict[str, Any],
                               at: datetime, by: str | None, note: str | None,
                               trace_context: dict[str, str], recorded_at: datetime | None = None,
                               actor: dict[str, str] | None = None) -> None:
        for request in self.off_hours_requests:
            if request["request_id"] == request_id:
                request["work_log"].append(entry)

    @event("AgreementRecorded")
    def _agreement_recorded(self, number: str, customer: str, target: datetime,
                            quote_id: UUID | None, revision: int, at: datetime, by: str | None,
                            note: str | None, trace_context: dict[str, str],
                            recorded_at: datetime | None = None,
                            actor: dict[str, str] | None = None) -> None:
        self.agreements.append(dict(revision=revision, target=target, quote_id=quote_id, at=at,
                                    note=note, by=by or (actor or {}).get("name")))
        self.last_change_at = at


OPEN, RESOLVED, CLOSED = "open", "resolved", "closed"
COMMENT_MAX_CHARS = 65536  # hotline.contracts.tickets.COMMENT_MAX_CHARS
AUTHOR_MAX = 320


def _change(change: dict[str, Any]) -> dict[str, Any]:
    """The fields every ticket change carries, with their defaults."""
    return dict(by=change.get("by"), note=change.get("note"),
                trace_context=change.get("trace_context") or {},
                recorded_at=change.get("recorded_at"), actor=change.get("actor"))


def _iso(at: datetime) -> str:
    return at.isoformat()
