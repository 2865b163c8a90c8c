"""Admission: a screened email or an HTTP request → exactly one recorded outcome, within the
rate limits and without a resent email counting twice. Synchronous (it talks to the event
store); `Submissions` calls it in a worker thread.

* Rejection replies per address: at most `replies_per_hour` rejections an hour are answered;
  later ones are recorded with `reply=False` (0 = no limit).
* A telephone call an agent records (channel `phone`) opens its ticket at the time of the call,
  within HOTLINE_INTAKE_MAX_BACKDATE (`IntakeApplication.backdated`).
* New tickets per customer, over every channel: beyond `tickets_per_customer_per_hour` in the
  last hour a submission is rejected as `rate_limited` (0 = no limit).
* An email that replies to a ticket (`screening.Reply`) becomes a comment on it, a follow-up
  ticket (the ticket is closed) or a rejection (`unknown_ticket`, `other_customers_ticket`,
  `not_a_contact_of_ticket`: the last one tells the ticket's contact, not the sender). The same
  email threaded twice adds one comment.
* An email whose (sender, Message-ID) the submission log already holds becomes a duplicate.
  The check and the write are not one transaction; the log's unique key closes the gap: the
  loser of a race fails to commit (IntegrityError), finds the winner's row, and is recorded as
  its duplicate.
* An HTTP request with an `Idempotency-Key` is keyed the same way, by (the caller's name,
  `idempotency-key:<key>`): the same key again is `Replayed` (the original ticket, nothing
  recorded), with a different request `IdempotencyKeyReused`; a racing twin loses on the same
  unique key and is replayed. Keys are kept as long as the duplicate window (7 days).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.persistence import IntegrityError

from hotline.directory import Directory
from hotline_intake.application import IntakeApplication, TicketNotFound
from hotline_intake.domain.directory import ValidatedSubmission, validate_submission
from hotline_intake.domain.fields import FieldRejected, check_fields
from hotline_intake.domain.phone_call import PhoneCall
from hotline_intake.domain.rejection import IntakeRejection, RejectionReason
from hotline_intake.domain.subject import DEFAULT_PRIORITY, PRIORITIES, TicketSubject
from hotline_intake.domain.thread import follow_up_issue
from hotline_intake.domain.ticket import CLOSED
from hotline_intake.scheduling import UnreadableSlot
from hotline_intake.adapters.submission_rows import idempotency_id
from hotline_intake.outcomes import (
    Commented,
    Duplicate,
    IdempotencyKeyReused,
    Ignored,
    Opened,
    Outcome,
    Rejected,
    Replayed,
)
from hotline_intake.screening import Accepted, Automatic, Refused, Reply, Verdict, envelope_sender

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmissionLimits:
    replies_per_hour: int = 5  # rejection replies per address; 0 = no limit
    tickets_per_customer_per_hour: int = 100  # 0 = no limit


class Admission:
    def __init__(self, app: IntakeApplication, limits: SubmissionLimits,
                 reply_reopens: bool = True) -> None:
        self.app = app
        self.limits = limits
        self.reply_reopens = reply_reopens  # HOTLINE_INTAKE_REPLY_REOPENS

    def email(self, verdict: Verdict, mail_from: str | None, received_at: datetime,
              trace_context: dict[str, str]) -> Outcome:
        with self.app.clock.held(received_at):  # one instant for the whole admission
            return self._email(verdict, mail_from, received_at, trace_context)

    def _email(self, verdict: Verdict, mail_from: str | None, received_at: datetime,
               trace_context: dict[str, str]) -> Outcome:
        header = verdict.header
        sender = header.sender or envelope_sender(mail_from)
        context = dict(received_at=received_at, trace_context=trace_context,
                       actor={"name": sender, "role": "email"} if sender else None)
        keyed = bool(sender and header.message_id) and not _is_dmarc_failure(verdict)
        for attempt in (1, 2):
            if keyed and (original := self.app.original_submission(sender, header.message_id)):
                duplicate = self.app.record_duplicate(original, subject=header.subject, **context)
                log.info("duplicate email", extra={"submission": str(original.submission_id)})
                return Duplicate(duplicate, original)
            try:
                return self._record(verdict, context)
            except IntegrityError:
                if not keyed or attempt == 2:
                    raise  # not the submission log's key: the store itself failed
        raise AssertionError("unreachable")

    def request(self, directory: Directory, trace_context: dict[str, str],
                actor: dict[str, str] | None, *, customer: str, location: str, issue: str,
                description: str, priority: int | None, contact: str | None,
                channel: str = "http", caller: str | None = None, callback: str | None = None,
                called_at: datetime | None = None,
                attachments: list[dict[str, Any]] | None = None,
                idempotency_key: str | None = None) -> Outcome:
        """An HTTP request (channel `http`: `contact` and a description required), or a
        telephone call an agent records (channel `phone`, `domain.phone_call`): received at the
        time of the call, which must lie within the back-dating limit (else
        `TicketRuleViolation` `in_future` or `too_far_back`, and nothing is recorded); without
        a `contact`, the customer's first registered contact is the ticket's (the confirmation
        goes there).

        With an `idempotency_key` (the `Idempotency-Key` header), a key that already opened a
        ticket for the same caller (the actor's name) within the duplicate window is `Replayed`
        (nothing recorded), or `IdempotencyKeyReused` when this request differs from that one
        (its fingerprint: a hash of every field). A racing request with the same key loses on
        the submission log's unique key and is replayed too. Only an opened ticket keeps its
        key: a refused request may be sent again with it."""
        with self.app.clock.held():  # one instant for the whole admission
            return self._keyed_request(directory, trace_context, actor, idempotency_key, dict(
                customer=customer, location=location, issue=issue, description=description,
                priority=priority, contact=contact, channel=channel, caller=caller,
                callback=callback, called_at=called_at, attachments=attachments))

    def _keyed_request(self, directory: Directory, trace_context: dict[str, str],
                       actor: dict[str, str] | None, idempotency_key: str | None,
                       fields: dict[str, Any]) -> Outcome:
        if idempotency_key is None:
            return self._request(directory, trace_context, actor, None, **fields)
        keyed = {"caller": (actor or {}).get("name") or "anonymous", "key": idempotency_key,
                 "fingerprint": _fingerprint(fields)}
        for attempt in (1, 2):
            if replayed := self._replayed(keyed):
                return replayed
            try:
                return self._request(directory, trace_context, actor, keyed, **fields)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _replayed(self, keyed: dict[str, str]) -> Replayed | None:
        original = self.app.original_submission(keyed["caller"], idempotency_id(keyed["key"]))
        if original is None or original.ticket_number is None:
            return None
        ticket = self.app.get_ticket(original.ticket_number)
        if (getattr(ticket, "idempotency", None) or {}).get("fingerprint") != keyed["fingerprint"]:
            raise IdempotencyKeyReused(keyed["key"], ticket.number)
        log.info("idempotent request replayed", extra={"ticket": ticket.number})
        return Replayed(ticket)

    def _request(self, directory: Directory, trace_context: dict[str, str],
                 actor: dict[str, str] | None, keyed: dict[str, str] | None, *, customer: str,
                 location: str, issue: str, description: str, priority: int | None,
                 contact: str | None, channel: str, caller: str | None, callback: str | None,
                 called_at: datetime | None, attachments: list[dict[str, Any]] | None) -> Outcome:
        now = self.app.clock.now()
        context = dict(received_at=now, trace_context=trace_context, actor=actor)
        call: PhoneCall | None = None
        try:
            if channel == "phone":
                call = PhoneCall.of(caller, called_at, callback)
                context["received_at"] = self.app.backdated(call.called_at, now)
                contact = contact or _first_contact(directory, customer)
            elif caller is not None or callback is not None or called_at is not None:
                raise FieldRejected("channel", "caller, callback and called_at describe a "
                                               "telephone call: send them with channel phone")
            elif not contact:
                raise FieldRejected("contact", "a ticket needs the registered contact who "
                                               "reports it (contact)")
            elif not description:
                raise FieldRejected("description", "the description is empty; say what is wrong")
            check_fields(description, customer=customer, location=location, issue=issue,
                         contact=contact)
            if priority is not None and priority not in PRIORITIES:
                raise FieldRejected("priority", f"priority must be 1–4, not {priority}")
            subject = TicketSubject(customer, location, issue, priority or DEFAULT_PRIORITY,
                                    priority_given=priority is not None)
            accepted = validate_submission(directory, subject, contact)
        except IntakeRejection as rejection:
            return self._reject(rejection, channel=channel, sender=contact or None, subject=None,
                                **context)
        recorded: dict[str, Any] = dict(caller=call.caller, callback=call.callback) if call else {}
        if attachments:  # the web console's uploads, recorded by name and size
            recorded["attachments"] = attachments
        if keyed:
            recorded["idempotency"] = keyed
        return self._open(accepted, channel, contact.lower(), {"subject": None}, context,
                          description=description, **recorded)

    def _record(self, verdict: Verdict, context: dict[str, Any]) -> Outcome:
        header = verdict.header
        email = dict(subject=header.subject, size=header.size, message_id=header.message_id)
        if isinstance(verdict, Automatic):
            reason, detail = verdict.ignored.reason, verdict.ignored.detail
            submission_id = self.app.ignore_submission(
                sender=header.sender or (context["actor"] or {}).get("name"), reason=reason,
                detail=detail, **email, **context)
            log.info("email ignored", extra={"reason": str(reason), "submission": str(submission_id)})
            return Ignored(submission_id, str(reason), detail)
        if isinstance(verdict, Refused):
            return self._reject(verdict.rejection, channel="email", sender=verdict.sender,
                                reply=verdict.reply, **email, **context)
        if isinstance(verdict, Reply):
            return self._reply(verdict, email, context)
        assert isinstance(verdict, Accepted)
        found = verdict.email
        return self._open(
            verdict.submission, "email", found.sender, email, context, description=found.body,
            attachments=[a._asdict() for a in found.attachments],
            attachments_omitted=found.attachments_omitted, message_id=found.message_id)

    def _open(self, accepted: ValidatedSubmission, channel: str, contact: str,
              email: dict[str, Any], context: dict[str, Any], **ticket: Any) -> Outcome:
        """Open the ticket, unless its customer is over the limit (then: a rejection)."""
        customer = accepted.customer.name
        limit = self.limits.tickets_per_customer_per_hour
        if limit and (opened := self.app.tickets_in_window(customer)) >= limit:
            rejection = IntakeRejection(
                RejectionReason.RATE_LIMITED,
                f"{customer} has opened {opened} tickets in the last hour, the most we accept; "
                "please send this one again later or call the support line")
            return self._reject(rejection, channel=channel, sender=contact, **email, **context)
        subject = accepted.subject
        opened_ticket = self.app.open_ticket(
            customer=customer, location=accepted.location.address, issue=subject.issue,
            priority=subject.priority, priority_defaulted=not subject.priority_given,
            channel=channel, contact=contact, **ticket, **context)
        log.info("ticket opened", extra={"ticket": opened_ticket.number, "channel": channel})
        return Opened(opened_ticket)

    def _reply(self, verdict: Reply, email: dict[str, Any], context: dict[str, Any]) -> Outcome:
        """A reply to a ticket: a comment on it (from a contact of its customer), a follow-up
        ticket (to a closed one), or a rejection; never a new ticket of its own."""
        found, number = verdict.email, verdict.reference.ticket_number
        sender = found.sender
        rejected = dict(channel="email", sender=sender, ticket_number=number, **email, **context)
        try:
            ticket = self.app.get_ticket(number)
        except TicketNotFound:
            return self._reject(IntakeRejection(
                RejectionReason.UNKNOWN_TICKET,
                f"the email replies to {number}, and we have no ticket {number}; please check "
                "the number, or send a new ticket with the subject in the ticket format"), **rejected)
        directory = verdict.directory
        customer = directory.find_customer(ticket.customer)
        if customer is None or directory.contact(customer, sender) is None:
            own = next((c for c in directory.customers if directory.contact(c, sender)), None)
            if own is not None:
                return self._reject(IntakeRejection(
                    RejectionReason.OTHER_CUSTOMERS_TICKET,
                    f"{number} is not a ticket of {own.name}, so your email was not added to "
                    "it; please check the ticket number"), **rejected)
            return self._reject(IntakeRejection(
                RejectionReason.NOT_A_CONTACT_OF_TICKET,
                f"an email from {sender} replied to {number}, but {sender} is not a registered "
                f"contact of {ticket.customer}, so it was not added to the ticket; if it should "
                "have been, forward it from a registered contact address"),
                notify=ticket.contact, **rejected)
        attachments = [a._asdict() for a in found.attachments]
        if ticket.status == CLOSED:
            return self._follow_up(ticket, verdict, email, context, attachments)
        ticket, comment_id, followed = self.app.add_customer_reply(
            number, author=sender, text=found.body, received_at=context["received_at"],
            attachments=attachments, message_id=found.message_id, in_reply_to=found.in_reply_to,
            reopens=self.reply_reopens, trace_context=context["trace_context"],
            actor=context["actor"])
        log.info("reply threaded", extra={"ticket": number, "followed": followed})
        if followed is not None:
            self._slot_named(number, found, rejected)
        return Commented(ticket, comment_id, tuple(followed or ()), resent=followed is None)

    def _slot_named(self, number: str, found: Any, rejected: dict[str, Any]) -> None:
        """An off-hours slot the reply names is requested (or declined with the reason); one
        that cannot be read gets its own reply saying so."""
        try:
            request = self.app.off_hours_from_reply(
                number, text=found.body, sender=found.sender, actor=rejected.get("actor"),
                trace_context=rejected.get("trace_context"))
        except UnreadableSlot as unreadable:
            # its own record: the email's Message-ID stays the threaded reply's
            self._reject(IntakeRejection(RejectionReason.UNREADABLE_SLOT, str(unreadable)),
                         **{**rejected, "message_id": None})
            return
        if request is not None:
            log.info("off-hours slot requested by email", extra={"ticket": number, "request": request})

    def _follow_up(self, closed: Any, verdict: Reply, email: dict[str, Any],
                   context: dict[str, Any], attachments: list[dict[str, Any]]) -> Outcome:
        """A reply to a closed ticket opens a new one linked to it (`follow_up_of`), for the
        same customer, location and priority."""
        found = verdict.email
        limit = self.limits.tickets_per_customer_per_hour
        if limit and (opened := self.app.tickets_in_window(closed.customer)) >= limit:
            return self._reject(IntakeRejection(
                RejectionReason.RATE_LIMITED,
                f"{closed.customer} has opened {opened} tickets in the last hour, the most we "
                "accept; please send this one again later or call the support line"),
                channel="email", sender=found.sender, ticket_number=closed.number, **email, **context)
        ticket = self.app.open_ticket(
            customer=closed.customer, location=closed.location,
            issue=follow_up_issue(closed.number, found.subject, closed.issue),
            description=found.body, priority=closed.priority, priority_defaulted=False,
            channel="email", contact=found.sender, attachments=attachments,
            attachments_omitted=found.attachments_omitted, message_id=found.message_id,
            follow_up_of=closed.number, **context)
        log.info("follow-up opened", extra={"ticket": ticket.number, "follow_up_of": closed.number})
        return Opened(ticket)

    def _reject(self, rejection: IntakeRejection, *, channel: str, sender: str | None,
                reply: bool = True, notify: str | None = None, **fields: Any) -> Rejected:
        limit = self.limits.replies_per_hour
        recipient = notify or sender
        if reply and channel == "email" and recipient and limit:
            reply = self.app.replies_in_window(recipient) < limit
        submission_id = self.app.reject_submission(
            channel=channel, sender=sender, reason=str(rejection.reason_code),
            detail=rejection.message, reply=reply, notify=notify, **fields)
        log.info("submission rejected", extra={
            "reason": str(rejection.reason_code), "submission": str(submission_id), "reply": reply})
        return Rejected(submission_id, str(rejection.reason_code), rejection.message, recipient, reply)



def _first_contact(directory: Directory, customer: str) -> str:
    """The customer's first registered contact ("" for an unknown customer: refused later)."""
    found = directory.find_customer(customer)
    return found.contacts[0].email if found is not None else ""


def _fingerprint(fields: dict[str, Any]) -> str:
    """What identifies a request's content (every field), to tell a retry from a new request."""
    canonical = json.dumps(fields, sort_keys=True, default=str, ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _is_dmarc_failure(verdict: Verdict) -> bool:
    return isinstance(verdict, Refused) and verdict.rejection.reason_code == RejectionReason.DMARC_FAIL
