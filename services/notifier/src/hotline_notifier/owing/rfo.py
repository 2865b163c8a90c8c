"""The Reason for Outage, delivered: an RFO recorded with its text is emailed to the ticket's
customer contact. sla-timer stops the RFO clock when this email is sent
(`hotline.notification.sent.v1` of kind `rfo`); an RFO recorded without text was delivered
otherwise and owes nothing here. The email is in the ticket's conversation (threaded like an
agent's reply)."""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.domain import Aggregate

from hotline.contracts import RfoDelivered
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.owing.thread import record_of, threaded_email

log = logging.getLogger(__name__)


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    if not isinstance(data, RfoDelivered) or not data.text:
        return []
    ticket = record_of(app, data.ticket_id)
    if ticket is None:
        log.warning("RFO of %s not emailed: its opening was never seen here", data.ticket_number)
        return []
    text = templates.render("rfo", rfo=data, ticket=ticket)
    return [threaded_email(ticket, cause=event.id, kind="rfo", text=text, trace_context=trace_context),
            ticket]
