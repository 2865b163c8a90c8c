"""Emails in a ticket's conversation with its customer: to the contact the ticket's record
keeps, answering the customer's latest message (`In-Reply-To`) and referring to the messages
known before (`References`); the email's own Message-ID then joins the conversation."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from hotline.contracts.envelope import CloudEvent

from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification
from hotline_notifier.domain.ticket_record import TicketRecord

log = logging.getLogger(__name__)


def record_of(app: Any, ticket_id: UUID) -> TicketRecord | None:
    """The ticket's record, None if its opening was never seen here."""
    try:
        record = app.repository.get(ticket_id)
    except AggregateNotFoundError:
        return None
    return record if isinstance(record, TicketRecord) else None


def threaded_email(record: TicketRecord, *, cause: str, kind: str, text: templates.Rendered,
                   trace_context: dict[str, str], recipient: str | None = None) -> Notification:
    """The email to the ticket's contact (or `recipient`, when the event names the contact
    itself), threaded; its Message-ID is remembered on `record` (once: a cause published again
    changes nothing)."""
    notification = Notification(
        cause=cause, kind=kind, recipient=recipient or record.contact, subject=text.subject,
        body=text.text, html=text.html, ticket_number=record.number, trace_context=trace_context,
        headers=record.threading_headers())
    if not record.knows(notification.message_id):
        record.message_known(notification.message_id, from_customer=False)
    return notification


def ticket_email(app: Any, event: CloudEvent, kind: str, trace_context: dict[str, str]) -> list[Aggregate]:
    """What an event about a ticket owes when it owes its contact the email `kind` (template
    `kind`, given `event` and `ticket`): that email, threaded, and the record; nothing (logged)
    when the ticket's opening was never seen here."""
    data = event.data
    record = record_of(app, data.ticket_id)
    if record is None:
        log.warning("%s of %s not emailed: its opening was never seen here", kind, data.ticket_number)
        return []
    text = templates.render(kind, event=data, ticket=record)
    return [threaded_email(record, cause=event.id, kind=kind, text=text, trace_context=trace_context),
            record]
