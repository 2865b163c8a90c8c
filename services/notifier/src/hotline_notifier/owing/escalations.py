"""Escalations owed by SLA deadline events (`hotline.sla.v1`), and the notes that take them back.

- `deadline-approaching` / `deadline-breached`: the escalation policy names who is told; each
  recipient gets one email (or, for `on-call-webhook`, one signed page), whatever is redelivered.
  The ticket's record remembers who was told of which event, under which policy version.
- `deadline-retracted`: everyone told of the retracted event gets a short "disregard" note.
- `hotline.ticket.opened.v1` opens the ticket's record (its customer contact, for breaches, and
  the start of its email conversation: the customer's email and the confirmation).
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from hotline.contracts import DeadlineApproaching, DeadlineBreached, DeadlineRetracted, TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification
from hotline_notifier.domain.ticket_record import TicketRecord
from hotline_notifier.escalation.policy import CUSTOMER_CONTACT, ON_CALL_WEBHOOK
from hotline_notifier.owing import replies

LABELS = {75.0: "75% of its time used", 90.0: "90% of its time used"}


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    if isinstance(data, TicketOpened):
        return [TicketRecord(ticket_id=data.ticket_id, number=data.ticket_number, customer=data.customer,
                             location=data.location, issue=data.issue, contact=data.contact,
                             priority=data.priority, message_id=data.message_id,
                             confirmation_id=replies.confirmation_message_id(data))]
    if isinstance(data, DeadlineApproaching | DeadlineBreached):
        return _escalate(app, event, trace_context)
    if isinstance(data, DeadlineRetracted):
        return _take_back(app, event, trace_context)
    return []


def _escalate(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    record = _record(app, data.ticket_id)
    breach = isinstance(data, DeadlineBreached)
    recipients = _resolve(app, app.escalations.recipients_for(data.clock, data.priority, data.threshold, breach),
                          record)
    if not recipients:
        return []
    text = templates.render("escalation", event=data, breach=breach, ticket=record,
                            label="breached" if breach else LABELS.get(data.threshold, f"{data.threshold:g}%"))
    owed: list[Aggregate] = [_notification(app, event, "escalation", r, text, trace_context)
                             for r in recipients]
    if record is not None:
        record.escalated(cause=event.id, recipients=recipients, policy_version=app.escalations.version)
        owed.append(record)
    return owed


def _take_back(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    record = _record(app, data.ticket_id)
    told = record.told.get(data.retracted_id, []) if record is not None else []
    if not told:
        return []
    text = templates.render("retraction", event=data, ticket=record)
    return [_notification(app, event, "retraction", r, text, trace_context) for r in told]


def _notification(app: Any, event: CloudEvent, kind: str, recipient: str, text: templates.Rendered,
                  trace_context: dict[str, str]) -> Notification:
    webhook = recipient == app.webhook_url
    return Notification(
        cause=event.id, kind="page" if webhook and kind == "escalation" else kind, recipient=recipient,
        subject=text.subject, body=text.text, html=text.html, ticket_number=event.subject,
        trace_context=trace_context, channel="webhook" if webhook else "email",
        payload=event.structured() if webhook else None)


def _resolve(app: Any, recipients: list[str], record: TicketRecord | None) -> list[str]:
    resolved: list[str] = []
    for recipient in recipients:
        if recipient == CUSTOMER_CONTACT:
            recipient = record.contact if record is not None else ""
        elif recipient == ON_CALL_WEBHOOK:
            recipient = app.webhook_url or ""
        if recipient and recipient not in resolved:
            resolved.append(recipient)
    return resolved


def _record(app: Any, ticket_id: Any) -> TicketRecord | None:
    """The ticket's record; None if its opening was never seen here (the customer contact is
    then unknown, and only the policy's own recipients are told)."""
    try:
        return app.repository.get(ticket_id)
    except AggregateNotFoundError:
        return None
