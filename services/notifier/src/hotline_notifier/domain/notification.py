"""The Notification aggregate: one message we owe someone, and every attempt to deliver it.

A notification goes out by `channel`: "email" (to an address; `body` and optional `html`) or
"webhook" (a POST of `payload` to a URL). Its id is derived from its kind, the upstream event
that caused it and its recipient, so each recipient is owed each notification once, however
often the cause is redelivered.

Each delivery attempt is an event: `Sent` (with the SMTP reply line or the HTTP status) or
`Failed` (with the reason and, while it will be retried, when: `next_attempt_at`, on the system
clock). A `Failed` without a next attempt gives the notification up: refused for good
(`permanent`) or out of attempts. `sent_at` and `failed_at` are the stack's clock (business
time, simulated in tests), `next_attempt_at` is infrastructure time. Events recorded before
these fields existed read with their defaults (`reply` None, `channel` "email", `headers`
None).

An email about a ticket has a Message-ID that names the ticket (`<T-000002.{id}@hotline.notifier>`),
so a customer's reply (its `In-Reply-To`/`References`) tells intake which ticket it is about.
`headers` are extra email headers (`In-Reply-To`, `References` for an email in a ticket's
conversation).
"""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

NOTIFICATION_NAMESPACE = uuid5(NAMESPACE_URL, "https://hotline.example/notifications")


def notification_id(cause: str, kind: str, recipient: str) -> UUID:
    return uuid5(NOTIFICATION_NAMESPACE, f"{kind}:{cause}:{recipient.lower()}")


def message_id_of(notification: UUID, ticket_number: str | None) -> str:
    """The Message-ID of a notification's email: `<T-000002.{id}@hotline.notifier>` for one
    about a ticket, `<{id}@hotline.notifier>` otherwise."""
    prefix = f"{ticket_number}." if ticket_number else ""
    return f"<{prefix}{notification}@hotline.notifier>"


class Notification(Aggregate):
    @staticmethod
    def create_id(cause: str, kind: str, recipient: str, **_: object) -> UUID:
        return notification_id(cause, kind, recipient)

    @event("Requested")
    def __init__(  # no `*`: eventsourcing treats keyword-only parameters as required
        self,
        cause: str,
        kind: str,
        recipient: str,
        subject: str,
        body: str,
        ticket_number: str | None,
        trace_context: dict[str, str],
        channel: str = "email",
        html: str | None = None,
        payload: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.cause = cause
        self.kind = kind
        self.recipient = recipient
        self.subject = subject
        self.body = body
        self.ticket_number = ticket_number
        self.trace_context = trace_context
        self.channel = channel
        self.html = html
        self.payload = payload
        self.headers = headers
        self.attempts = 0
        self.sent_at: datetime | None = None
        self.given_up = False
        self.last_result: str | None = None  # the last attempt's reply or error
        self.next_attempt_at: datetime | None = None

    @property
    def message_id(self) -> str:
        """Stable across attempts, so a re-sent email is recognisably the same one; names the
        ticket, if any, so replies to it can be threaded into that ticket."""
        return message_id_of(self.id, self.ticket_number)

    @property
    def pending(self) -> bool:
        return self.sent_at is None and not self.given_up

    @property
    def state(self) -> str:
        """`pending`, `sent` or `given-up`."""
        return "sent" if self.sent_at is not None else "given-up" if self.given_up else "pending"

    def record_sent(self, *, attempt: int, sent_at: datetime, reply: str) -> None:
        self._sent(attempt=attempt, sent_at=sent_at, reply=reply, **self._described())

    def record_failure(self, *, attempt: int, error: str, failed_at: datetime,
                       next_attempt_at: datetime | None = None, permanent: bool = False) -> None:
        """A failed attempt; without `next_attempt_at` the notification is given up."""
        self._failed(attempt=attempt, error=error, failed_at=failed_at,
                     will_retry=next_attempt_at is not None, next_attempt_at=next_attempt_at,
                     permanent=permanent, **self._described())

    def _described(self) -> dict[str, object]:
        # Attempt events repeat what was sent to whom, so each one reads on its own.
        return {"kind": self.kind, "recipient": self.recipient, "subject": self.subject,
                "ticket_number": self.ticket_number, "message_id": self.message_id,
                "channel": self.channel}

    @event("Sent")
    def _sent(self, *, attempt: int, sent_at: datetime, kind: str, recipient: str, subject: str,
              ticket_number: str | None, message_id: str, reply: str | None = None,
              channel: str = "email") -> None:
        self.attempts = attempt
        self.sent_at = sent_at
        self.last_result = reply
        self.next_attempt_at = None

    @event("Failed")
    def _failed(self, *, attempt: int, error: str, failed_at: datetime, will_retry: bool,
                kind: str, recipient: str, subject: str, ticket_number: str | None,
                message_id: str, next_attempt_at: datetime | None = None, permanent: bool = False,
                channel: str = "email") -> None:
        self.attempts = attempt
        self.given_up = not will_retry
        self.last_result = error
        self.next_attempt_at = next_attempt_at if will_retry else None
