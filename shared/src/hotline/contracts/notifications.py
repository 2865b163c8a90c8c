"""Notification events published by notifier on `hotline.notifications.v1`: each delivery
attempt of each notification, by email or webhook."""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register

NotificationKind = str
"""What a notification is for. Values so far: `confirmation` (a ticket was opened), `rejection`
(a reply to a refused email), `escalation` (an SLA threshold reached), `retraction` (disregard an
earlier escalation), `rfo` (the Reason for Outage), `page` (a P1 warning or breach to the on-call
webhook), `maintenance-scheduled`, `maintenance-reminder`, `maintenance-rescheduled`,
`maintenance-cancelled`, `maintenance-completed`, `change-announced` (a relevant platform change
announced; its later notices use the maintenance kinds), `reply` (an agent's public reply to the ticket's
contact), `workaround-provided`, `resolved`, `closed` (milestones told to the ticket's contact), `quote` (a
Priority 4 fee quote to the ticket's contact), `quote-decision` (its approval, rejection or expiry), `availability-escalation` (a customer's
monthly availability target missed).
New kinds may appear: treat unknown ones alike."""
KIND_DESCRIPTION = ("What the notification is for: confirmation, rejection, escalation, retraction, "
                    "rfo, page, maintenance-scheduled, maintenance-reminder, maintenance-rescheduled, "
                    "maintenance-cancelled, maintenance-completed, change-announced, reply, workaround-provided, resolved, "
                    "closed, quote, quote-decision, availability-escalation (more may come).")
CHANNEL_DESCRIPTION = "How it goes out: `email` (SMTP) or `webhook` (an HTTP POST)."


@register("hotline.notification.sent.v1", topics.NOTIFICATIONS)
class NotificationSent(EventBody):
    """A notification was delivered: an email handed to the SMTP relay, or a webhook answered 2xx."""

    notification_id: UUID
    kind: NotificationKind = Field(description=KIND_DESCRIPTION)
    ticket_number: str | None = None
    recipient: str = Field(description="The email address, or the webhook's URL.")
    subject: str
    message_id: str = Field(description="Message-ID of the email sent (stable across retries; "
                            "`<T-000001.{id}@hotline.notifier>` for one about a ticket); "
                            "a webhook's delivery id is the notification id.")
    attempt: int = Field(ge=1)
    sent_at: UtcInstant
    channel: str = Field("email", description=CHANNEL_DESCRIPTION)
    reply: str | None = Field(None, description="The SMTP server's reply to the message (e.g. "
                              "`250 2.0.0 Ok: queued`), or the webhook's `HTTP <status>`.")


@register("hotline.notification.failed.v1", topics.NOTIFICATIONS)
class NotificationFailed(EventBody):
    """A delivery attempt failed; notifier retries it at `next_attempt_at` (exponential back-off
    with jitter) or, when `will_retry` is false, has given the notification up."""

    notification_id: UUID
    kind: NotificationKind = Field(description=KIND_DESCRIPTION)
    ticket_number: str | None = None
    recipient: str = Field(description="The email address, or the webhook's URL.")
    attempt: int = Field(ge=1)
    error: str = Field(description="Why, e.g. `RCPT 450 4.2.0 Greylisted` or `HTTP 503 ...`.")
    failed_at: UtcInstant
    will_retry: bool
    channel: str = Field("email", description=CHANNEL_DESCRIPTION)
    next_attempt_at: UtcInstant | None = Field(
        None, description="When the next attempt is due (system time); none when given up.")
    permanent: bool = Field(False, description="Refused for good (a 5xx to RCPT or DATA, an "
                            "unsendable message): given up at once, whatever attempts were left.")
