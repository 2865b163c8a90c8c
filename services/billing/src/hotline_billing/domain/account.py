"""What billing keeps of a ticket: its customer, contact and priority (from
`hotline.tickets.v1`), the latest review revision it priced, the charge that revision booked,
and every entry booked for it (charges, credits, no-charge decisions), oldest first.

One `TicketAccount` per ticket, id = the ticket's id. It is opened by whichever comes first, the
ticket's opening or a review outcome; the other fills in what it knows.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event


class TicketAccount(Aggregate):
    @staticmethod
    def create_id(ticket_id: UUID, **_: Any) -> UUID:
        return ticket_id

    @event("Opened")
    def __init__(self, ticket_id: UUID, number: str, customer: str, contact: str | None = None,
                 priority: int | None = None) -> None:
        self.number = number
        self.customer = customer
        self.contact = contact
        self.priority = priority  # None until the ticket's opening is seen
        self.review_revision = 0
        self.active_charge: UUID | None = None  # the charge of the latest review revision
        self.entries: list[list[str]] = []  # [entry id, "charge" | "credit" | "no-charge"]

    @event("Described")
    def described(self, customer: str, contact: str, priority: int) -> None:
        """The ticket's opening, seen after a review had opened the account."""
        self.customer = customer
        self.contact = contact
        self.priority = priority

    @event("Reprioritised")
    def reprioritised(self, priority: int) -> None:
        self.priority = priority

    @event("ReviewPriced")
    def review_priced(self, revision: int, credit_id: UUID | None, charge_id: UUID | None,
                      decision_id: UUID | None) -> None:
        """Review `revision` was priced: the earlier charge credited, a charge or no charge."""
        self.review_revision = revision
        self.active_charge = charge_id
        for entry, kind in ((credit_id, "credit"), (charge_id, "charge"), (decision_id, "no-charge")):
            if entry is not None:
                self.entries.append([str(entry), kind])

    @event("EntryBooked")
    def entry_booked(self, entry_id: UUID, kind: str) -> None:
        """A charge of an approved quote."""
        self.entries.append([str(entry_id), kind])
