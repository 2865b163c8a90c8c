"""Ticket events, in the SLA's terms: contract events on `hotline.tickets.v1` → `Change`s, and
recorded `Change`s → the policy kernel's `hotline.sla` events.

This is the only place that knows both vocabularies; sla-timer and intake's web console both use
it. A `Change` is what the `TicketClocks` aggregate records: its kind, its instant, the priority it sets (opened, priority-changed) and
when intake recorded it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from hotline import contracts, sla
from hotline.contracts.base import EventBody


@dataclass(frozen=True)
class Change:
    kind: str
    at: datetime
    priority: int | None = None
    recorded_at: datetime | None = None  # when intake recorded it (`at` may be back-dated)
    target: datetime | None = None  # an agreement's date (kind `agreed`)

    def sla_event(self) -> sla.SlaEvent:
        event_class = SLA_EVENTS[self.kind]
        if self.kind == "agreed":
            return sla.AgreementRecorded(self.at, target=self.target)
        if self.priority is not None:
            return event_class(self.at, self.priority)
        return event_class(self.at)


SLA_EVENTS: dict[str, type[sla.SlaEvent]] = {
    "opened": sla.TicketOpened,
    "priority-changed": sla.PriorityChanged,
    "waiting-on-customer": sla.WaitingOnCustomer,
    "customer-responded": sla.CustomerResponded,
    "first-response": sla.FirstResponse,
    "workaround-provided": sla.WorkaroundProvided,
    "resolved": sla.Resolved,
    "reopened": sla.Reopened,
    "rfo-delivered": sla.RfoDelivered,
    "agreed": sla.AgreementRecorded,  # a P4's agreed date: its resolution deadline
    "closed": None,  # type: ignore[dict-item]  # recorded for the audit; changes no clock
    "rfo-sent-for-delivery": None,  # type: ignore[dict-item]  # the clock stops when it is sent
}

CONTRACT_KINDS: dict[type[EventBody], str] = {
    contracts.FirstResponseGiven: "first-response",
    contracts.WorkaroundProvided: "workaround-provided",
    contracts.TicketResolved: "resolved",
    contracts.TicketReopened: "reopened",
    contracts.TicketClosed: "closed",
    contracts.PriorityChanged: "priority-changed",
    contracts.WaitingOnCustomer: "waiting-on-customer",
    contracts.CustomerResponded: "customer-responded",
    contracts.RfoDelivered: "rfo-delivered",
}


def change_from_contract(data: EventBody, reply_is_response: bool = True) -> Change | None:
    """The SLA-relevant change an event describes, or None (e.g. a rejected submission).

    An RFO recorded with its text is emailed by notifier, and the RFO clock stops when that
    email is sent (`hotline.notification.sent.v1` of kind `rfo`); one recorded without text
    was delivered otherwise, at its `at`.

    With `reply_is_response` (`HOTLINE_SLA_REPLY_IS_RESPONSE`), an agent's public reply is a
    first response at its `at` (the policy counts only the earliest one; later ones change
    nothing). Customer messages and internal notes change no clock (intake records a
    `customer-responded` of its own when the customer answers)."""
    if isinstance(data, contracts.CommentAdded):
        if reply_is_response and data.author_kind == "agent" and data.visibility == "public":
            return Change("first-response", data.at, None, data.recorded_at)
        return None
    if isinstance(data, contracts.TicketOpened):
        return Change("opened", data.received_at, data.priority)
    if isinstance(data, contracts.AgreementRecorded):
        return Change("agreed", data.at, None, data.recorded_at, data.target)
    if isinstance(data, contracts.NotificationSent):
        if data.kind != "rfo" or data.ticket_number is None:
            return None
        return Change("rfo-delivered", data.sent_at, None, data.sent_at)
    kind = CONTRACT_KINDS.get(type(data))
    if kind is None:
        return None
    if isinstance(data, contracts.RfoDelivered) and data.text:
        kind = "rfo-sent-for-delivery"
    return Change(kind, data.at, getattr(data, "priority", None), data.recorded_at)


def ticket_of(data: EventBody) -> UUID:
    """The ticket an event is about (notifications name it by number)."""
    ticket_id = getattr(data, "ticket_id", None)
    return ticket_id if ticket_id is not None else contracts.ticket_id_for(data.ticket_number)  # type: ignore[attr-defined]


def sla_events(changes: list[Change]) -> list[sla.SlaEvent]:
    """The policy kernel's input for a recorded history (closing changes no clock)."""
    return [c.sla_event() for c in changes if SLA_EVENTS[c.kind] is not None]
