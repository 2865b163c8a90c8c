"""Escalations owed by a missed availability target: a closed month's
`hotline.sla.availability-reported.v1` with `met` false tells whoever the escalation policy's
`availability` rules name for its service class (by default the duty manager), each once: the
notification's id derives from the report's event id (one per customer, class and month) and
the recipient, so a redelivered or republished report owes nothing new."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate

from hotline.contracts import AvailabilityReported
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification
from hotline_notifier.escalation.policy import ON_CALL_WEBHOOK, availability_recipients

KIND = "availability-escalation"


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    if not isinstance(data, AvailabilityReported) or data.met:
        return []
    recipients = []
    for recipient in availability_recipients(app.escalations, data.service_class):
        if recipient == ON_CALL_WEBHOOK:
            recipient = app.webhook_url or ""
        if recipient and recipient not in recipients:
            recipients.append(recipient)
    text = templates.render(KIND, report=data)
    owed: list[Aggregate] = []
    for recipient in recipients:
        webhook = recipient == app.webhook_url
        owed.append(Notification(
            cause=event.id, kind="page" if webhook else KIND, recipient=recipient,
            subject=text.subject, body=text.text, html=text.html, ticket_number=None,
            trace_context=trace_context, channel="webhook" if webhook else "email",
            payload=event.structured() if webhook else None))
    return owed
