"""Milestones the ticket's contact is told of, by email in the ticket's conversation: a
work-around provided (`workaround-provided`), the ticket resolved (`resolved`, with the
resolution note) and closed (`closed`). Each is owed once per event (its id derives from the
event's `ce_id`): a ticket resolved, reopened and resolved again is told twice.

A priority change keeps the record's priority current, so the emails name the one in force.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.domain import Aggregate

from hotline.contracts import PriorityChanged, TicketClosed, TicketResolved, WorkaroundProvided
from hotline.contracts.envelope import CloudEvent
from hotline_notifier.owing.thread import record_of, ticket_email

log = logging.getLogger(__name__)

KINDS: dict[type, str] = {
    WorkaroundProvided: "workaround-provided",
    TicketResolved: "resolved",
    TicketClosed: "closed",
}


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    if isinstance(data, PriorityChanged):
        record = record_of(app, data.ticket_id)
        if record is None or record.priority == data.priority:
            return []
        record.reprioritised(data.priority)
        return [record]
    kind = KINDS.get(type(data))
    if kind is None:
        return []
    return ticket_email(app, event, kind, trace_context)
