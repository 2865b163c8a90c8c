"""The ticket's conversation (`hotline.ticket.comment-added.v1`):

- an agent's public reply is emailed to the ticket's contact, threaded (`Re: [T-…] <issue>`,
  `In-Reply-To` the customer's latest message, `References` the conversation so far), once
  per comment whatever is redelivered;
- an internal note is never emailed;
- a customer's message owes nothing by email (intake records that the customer responded);
  its Message-ID joins the conversation, so Hotline's next email answers it.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.domain import Aggregate

from hotline.contracts import CommentAdded
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.owing.thread import record_of, threaded_email

log = logging.getLogger(__name__)


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    if not isinstance(data, CommentAdded) or data.visibility != "public":
        return []
    record = record_of(app, data.ticket_id)
    if record is None:
        if data.author_kind == "agent":
            log.warning("reply to %s not emailed: its opening was never seen here", data.ticket_number)
        return []
    if data.author_kind == "customer":
        if not data.message_id or record.knows(data.message_id):
            return []
        record.message_known(data.message_id, from_customer=True)
        return [record]
    text = templates.render("reply", comment=data, ticket=record)
    return [threaded_email(record, cause=str(data.comment_id), kind="reply", text=text,
                           trace_context=trace_context), record]
