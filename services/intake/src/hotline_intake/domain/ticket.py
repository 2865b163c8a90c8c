"""The Ticket aggregate: a customer's support event, from opening onward.

The ticket number is human-readable and sequential (`T-000001`); the aggregate id
is derived from it, so a number can never belong to two tickets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

TICKET_NAMESPACE = uuid5(NAMESPACE_URL, "https://hotline.example/tickets")


def ticket_id(number: str) -> UUID:
    return uuid5(TICKET_NAMESPACE, number)


class Ticket(Aggregate):
    @staticmethod
    def create_id(number: str, **_: Any) -> UUID:
        return ticket_id(number)

    @event("Opened")
    def __init__(
        self,
        *,
        number: str,
        customer: str,
        location: str,
        issue: str,
        description: str,
        priority: int,
        priority_defaulted: bool,
        channel: str,
        contact: str,
        received_at: datetime,
        off_hours: bool,
        calendar_version: str,
        attachments: list[dict[str, Any]],
        message_id: str | None,
        trace_context: dict[str, str],
    ) -> None:
        self.number = number
        self.customer = customer
        self.location = location
        self.issue = issue
        self.description = description
        self.priority = priority
        self.priority_defaulted = priority_defaulted
        self.channel = channel
        self.contact = contact
        self.received_at = received_at
        self.off_hours = off_hours
        self.calendar_version = calendar_version
        self.attachments = attachments
        self.message_id = message_id
        self.status = "open"
