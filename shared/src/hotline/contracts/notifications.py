"""Notification events published by notifier on `hotline.notifications.v1`."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register

NotificationKind = Literal["confirmation", "rejection"]


@register("hotline.notification.sent.v1", topics.NOTIFICATIONS)
class NotificationSent(EventBody):
    """An email notification was handed to the SMTP relay."""

    notification_id: UUID
    kind: NotificationKind
    ticket_number: str | None = None
    recipient: str
    subject: str
    message_id: str = Field(description="Message-ID of the email sent (stable across retries).")
    attempt: int = Field(ge=1)
    sent_at: UtcInstant


@register("hotline.notification.failed.v1", topics.NOTIFICATIONS)
class NotificationFailed(EventBody):
    """A delivery attempt failed; notifier retries with back-off."""

    notification_id: UUID
    kind: NotificationKind
    ticket_number: str | None = None
    recipient: str
    attempt: int = Field(ge=1)
    error: str
    failed_at: UtcInstant
    will_retry: bool
