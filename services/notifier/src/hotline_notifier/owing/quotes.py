"""Priority 4 fee quotes (`hotline.billing.v1`), told to the contact the quote names:

- `quote-created` owes the quote (kind `quote`): the amount, what it is for, when it expires
  (in the support calendar's zone) and how to approve it (reply, or ask the NOC; an agent
  records the approval with `hotline billing quote approve QUOTE-ID`);
- `quote-decided` owes a short note of the decision (kind `quote-decision`): approved,
  rejected or expired.

Each is owed once per (quote, recipient, kind): its id derives from the quote's id, so a
redelivered or republished event (under any `ce_id` or position) owes nothing new. A quote
without a contact owes nothing. When the ticket's opening was seen here, the email joins the
ticket's conversation (threaded like a milestone); otherwise it goes unthreaded but for the
`[T-…]` in its subject and its Message-ID, which name the ticket.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.domain import Aggregate

from hotline.contracts import QuoteCreated, QuoteDecided
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification
from hotline_notifier.owing.thread import record_of, threaded_email

log = logging.getLogger(__name__)

QUOTE, DECISION = "quote", "quote-decision"


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    if isinstance(data, QuoteCreated):
        kind = QUOTE
    elif isinstance(data, QuoteDecided):
        kind = DECISION
    else:
        return []
    if not data.contact:
        log.info("%s %s of %s not emailed: the quote names no contact", kind, data.quote_id,
                 data.ticket_number)
        return []
    record = record_of(app, data.ticket_id)
    text = templates.render(kind, quote=data, ticket=record)
    cause = str(data.quote_id)
    if record is None:
        return [Notification(cause=cause, kind=kind, recipient=data.contact, subject=text.subject,
                             body=text.text, html=text.html, ticket_number=data.ticket_number,
                             trace_context=trace_context)]
    return [threaded_email(record, cause=cause, kind=kind, text=text, trace_context=trace_context,
                           recipient=data.contact), record]
