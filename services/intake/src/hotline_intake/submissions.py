"""Turning a raw email or an HTTP request into a Ticket, or into a recorded rejection.

This is intake's service layer: parse, check against the customer directory,
then open the ticket — or record why not, so the sender gets an answer. Calls
into the (synchronous) event store run in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from uuid import UUID

from hotline.telemetry import current_trace_context
from hotline_intake.adapters.mime import EmailRejected, parse_email
from hotline_intake.application import IntakeApplication
from hotline_intake.domain.directory import Directory
from hotline_intake.domain.rejection import IntakeRejection
from hotline_intake.domain.subject import DEFAULT_PRIORITY, TicketSubject, parse_subject
from hotline_intake.domain.ticket import Ticket

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Opened:
    ticket: Ticket


@dataclass(frozen=True)
class Rejected:
    submission_id: UUID
    reason: str
    detail: str
    reply_to: str | None


Outcome = Opened | Rejected


class Submissions:
    def __init__(self, app: IntakeApplication, directory: Directory, max_bytes: int) -> None:
        self.app = app
        self.directory = directory
        self.max_bytes = max_bytes

    async def receive_email(self, raw: bytes, mail_from: str | None) -> Outcome:
        """Open a ticket from an email, or record its rejection. Returns once committed."""
        trace_context = current_trace_context()
        try:
            email = parse_email(raw, max_bytes=self.max_bytes)
        except EmailRejected as rejection:
            return await self._reject(
                rejection, channel="email", sender=rejection.sender or _address(mail_from),
                subject=rejection.subject, size=len(raw), message_id=rejection.message_id,
                trace_context=trace_context,
            )
        try:
            subject = parse_subject(email.subject)
            accepted = self.directory.validate_submission(subject, email.sender)
        except IntakeRejection as rejection:
            return await self._reject(
                rejection, channel="email", sender=email.sender, subject=email.subject,
                size=len(raw), message_id=email.message_id, trace_context=trace_context,
            )
        ticket = await asyncio.to_thread(
            self.app.open_ticket,
            customer=accepted.customer.name,
            location=accepted.location.address,
            issue=subject.issue,
            description=email.body,
            priority=subject.priority,
            priority_defaulted=not subject.priority_given,
            channel="email",
            contact=email.sender,
            attachments=[a._asdict() for a in email.attachments],
            message_id=email.message_id,
            trace_context=trace_context,
        )
        log.info("ticket opened", extra={"ticket": ticket.number, "channel": "email"})
        return Opened(ticket)

    async def receive_request(
        self, *, customer: str, location: str, issue: str, description: str,
        priority: int | None, contact: str,
    ) -> Outcome:
        """Open a ticket from an HTTP request, or record its rejection."""
        trace_context = current_trace_context()
        subject = TicketSubject(
            customer=customer, location=location, issue=issue,
            priority=priority or DEFAULT_PRIORITY, priority_given=priority is not None,
        )
        try:
            accepted = self.directory.validate_submission(subject, contact)
        except IntakeRejection as rejection:
            return await self._reject(
                rejection, channel="http", sender=contact, subject=None, size=None,
                message_id=None, trace_context=trace_context,
            )
        ticket = await asyncio.to_thread(
            self.app.open_ticket,
            customer=accepted.customer.name,
            location=accepted.location.address,
            issue=issue,
            description=description,
            priority=subject.priority,
            priority_defaulted=not subject.priority_given,
            channel="http",
            contact=contact.lower(),
            trace_context=trace_context,
        )
        log.info("ticket opened", extra={"ticket": ticket.number, "channel": "http"})
        return Opened(ticket)

    async def _reject(
        self, rejection: IntakeRejection, *, channel: str, sender: str | None,
        subject: str | None, size: int | None, message_id: str | None,
        trace_context: dict[str, str],
    ) -> Rejected:
        submission_id = await asyncio.to_thread(
            self.app.reject_submission,
            channel=channel, sender=sender, subject=subject,
            reason=str(rejection.reason_code), detail=rejection.message,
            size=size, message_id=message_id, trace_context=trace_context,
        )
        log.info("submission rejected",
                 extra={"reason": str(rejection.reason_code), "submission": str(submission_id)})
        return Rejected(submission_id, str(rejection.reason_code), rejection.message, sender)


def _address(mail_from: str | None) -> str | None:
    return mail_from.strip().lower() if mail_from and mail_from.strip() not in ("", "<>") else None

