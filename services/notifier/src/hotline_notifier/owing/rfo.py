"""The Reason for Outage, delivered: an RFO recorded with its text is emailed to the ticket's
customer contact. sla-timer stops the RFO clock when this email is sent
(`hotline.notification.sent.v1` of kind `rfo`); an RFO recorded without text was delivered
otherwise and owes nothing here."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from hotline.contracts import RfoDelivered
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification

log = logging.getLogger(__name__)


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Notification]:
    data = event.data
    if not isinstance(data, RfoDelivered) or not data.text:
        return []
    try:
        ticket = app.repository.get(data.ticket_id)
    except AggregateNotFoundError:
        log.warning("RFO of %s not emailed: its opening was never seen here", data.ticket_number)
        return []
    text = templates.render("rfo", rfo=data, ticket=ticket)
    return [Notification(cause=event.id, kind="rfo", recipient=ticket.contact, subject=text.subject,
                         body=text.text, html=text.html, ticket_number=data.ticket_number,
                         trace_context=trace_context)]
