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

from typing import Any

from eventsourcing.domain import Aggregate

from hotline.contracts import AgreementRecorded, OffHoursAccepted, OffHoursDeclined, OffHoursRequested
from hotline.contracts.envelope import CloudEvent
from hotline_notifier.owing.thread import ticket_email

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
    return ticket_email(app, event, kind, trace_context)
