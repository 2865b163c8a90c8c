"""What the notifier keeps of a ticket: who to tell about it, and who it told about each
deadline event (so a retraction reaches exactly whoever got the retracted message).

One `TicketRecord` per ticket, id = the ticket's id, opened from `hotline.ticket.opened.v1`
and saved in the same transaction as the notifications an event owes.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class TicketRecord(Aggregate):
    @staticmethod
    def create_id(ticket_id: UUID, **_: Any) -> UUID:
        return ticket_id

    @event("Opened")
    def __init__(self, ticket_id: UUID, number: str, customer: str, location: str, issue: str,
                 contact: str, priority: int) -> None:
        self.number = number
        self.customer = customer
        self.location = location
        self.issue = issue
        self.contact = contact
        self.priority = priority
        self.told: dict[str, list[str]] = {}  # deadline event ce_id -> recipients

    @event("Escalated")
    def escalated(self, cause: str, recipients: list[str], policy_version: str) -> None:
        """`recipients` were told of the deadline event `cause` under that policy version."""
        self.told[cause] = list(recipients)
