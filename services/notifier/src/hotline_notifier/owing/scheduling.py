"""Scheduled off-hours work and P4 agreements, told to the ticket's contact by email in the
ticket's conversation:

- `offhours-requested`: a slot was asked of the NOC (by the customer or an agent on their
  behalf): what was asked and that the NOC will answer;
- `offhours-accepted` / `offhours-declined`: the NOC's answer, with its reason; a slot named by
  email that broke a rule is declined at once and says which;
- `agreement`: the date agreed for a Priority 4 request (and the quote it covers, if any).

Each is owed once per event (its id derives from the event's `ce_id`). Work logged in a slot
owes nothing. None of these changes an SLA clock, and the emails say so where it matters.
"""

from __future__ import annotations

import logging
from typing import Any

from eventsourcing.domain import Aggregate

from hotline.contracts import AgreementRecorded, OffHoursAccepted, OffHoursDeclined, OffHoursRequested
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.owing.thread import record_of, threaded_email

log = logging.getLogger(__name__)

KINDS: dict[type, str] = {
    OffHoursRequested: "offhours-requested",
    OffHoursAccepted: "offhours-accepted",
    OffHoursDeclined: "offhours-declined",
    AgreementRecorded: "agreement",
}


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Aggregate]:
    data = event.data
    kind = KINDS.get(type(data))
    if kind is None:
        return []
    record = record_of(app, data.ticket_id)
    if record is None:
        log.warning("%s of %s not emailed: its opening was never seen here", kind, data.ticket_number)
        return []
    text = templates.render(kind, event=data, ticket=record)
    return [threaded_email(record, cause=event.id, kind=kind, text=text, trace_context=trace_context),
            record]
