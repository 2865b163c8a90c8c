"""What the notifier keeps of a ticket: who to tell about it, who it told about each
deadline event (so a retraction reaches exactly whoever got the retracted message), and the
ticket's email conversation (so what Hotline sends the customer is threaded).

One `TicketRecord` per ticket, id = the ticket's id, opened from `hotline.ticket.opened.v1`
and saved in the same transaction as the notifications an event owes.

The conversation is the Message-IDs known of the ticket, oldest first: the customer's (the
email that opened it, each reply threaded into it) and Hotline's emails to the customer about
it. An email in the conversation answers (`In-Reply-To`) the customer's latest message, or the
confirmation when the customer never emailed, and refers (`References`) to the first and the
latest `THREAD_MAX` - 1. Records opened before the conversation was kept have none: their emails
go unthreaded but for the `[T-…]` in the subject.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

THREAD_MAX = 20


class TicketRecord(Aggregate):
    @staticmethod
    def create_id(ticket_id: UUID, **_: Any) -> UUID:
        return ticket_id

    @event("Opened")
    def __init__(self, ticket_id: UUID, number: str, customer: str, location: str, issue: str,
                 contact: str, priority: int, message_id: str | None = None,
                 confirmation_id: str | None = None) -> None:
        # `message_id`: the customer's email that opened it; `confirmation_id`: the Message-ID of
        # Hotline's confirmation (both absent from records opened before they were kept).
        self.number = number
        self.customer = customer
        self.location = location
        self.issue = issue
        self.contact = contact
        self.priority = priority
        self.told: dict[str, list[str]] = {}  # deadline event ce_id -> recipients
        self.thread: list[str] = []  # Message-IDs of the conversation, oldest first
        self.customer_message_id = message_id  # the customer's latest message
        self.confirmation_id = confirmation_id
        for known in (message_id, confirmation_id):
            if known:
                self._remember(known)

    @event("Escalated")
    def escalated(self, cause: str, recipients: list[str], policy_version: str) -> None:
        """`recipients` were told of the deadline event `cause` under that policy version."""
        self.told[cause] = list(recipients)

    @event("MessageKnown")
    def message_known(self, message_id: str, from_customer: bool) -> None:
        """A message of the ticket's conversation: the customer's (the latest one, which
        Hotline's next email answers) or Hotline's own to the customer."""
        if from_customer:
            self.customer_message_id = message_id
        self._remember(message_id)

    @event("Reprioritised")
    def reprioritised(self, priority: int) -> None:
        self.priority = priority

    def knows(self, message_id: str) -> bool:
        return message_id in self.thread

    def threading_headers(self) -> dict[str, str] | None:
        """`In-Reply-To` and `References` of Hotline's next email in the conversation, or None
        when none is known."""
        latest = getattr(self, "customer_message_id", None) or getattr(self, "confirmation_id", None)
        thread = getattr(self, "thread", [])
        if latest is None and not thread:
            return None
        headers = {"References": " ".join(thread)}
        if latest is not None:
            headers["In-Reply-To"] = latest
        return headers

    def _remember(self, message_id: str) -> None:
        if message_id in self.thread:
            return
        self.thread.append(message_id)
        if len(self.thread) > THREAD_MAX:  # the first message, and the latest ones
            del self.thread[1:len(self.thread) - THREAD_MAX + 1]
