"""What notifier publishes on `hotline.notifications.v1`: each delivery attempt."""

from __future__ import annotations

from typing import Any

from hotline.contracts import NotificationFailed, NotificationSent
from hotline.contracts.envelope import CloudEvent
from hotline_notifier.domain.notification import Notification

SOURCE = "/hotline/notifier"
PUBLISHED = (Notification.Sent, Notification.Failed)
"""The only events this topic takes (its relay leaves the rest of the log undecoded)."""


def to_cloud_event(domain_event: Any, position: int) -> CloudEvent | None:
    if isinstance(domain_event, PUBLISHED):
        data = attempt_body(domain_event)
        return CloudEvent(
            id=f"{domain_event.originator_id}:{domain_event.originator_version}",
            source=SOURCE, type=data.ce_type, time=domain_event.timestamp,
            subject=data.ticket_number or str(domain_event.originator_id),
            position=position, data=data,
        )
    return None


def attempt_body(domain_event: Any) -> NotificationSent | NotificationFailed:
    # Events recorded before `channel`, `reply`, `next_attempt_at`, `permanent` read as defaults.
    common = {"notification_id": domain_event.originator_id, "kind": domain_event.kind,
              "ticket_number": domain_event.ticket_number, "recipient": domain_event.recipient,
              "attempt": domain_event.attempt, "channel": getattr(domain_event, "channel", "email")}
    if isinstance(domain_event, Notification.Sent):
        return NotificationSent(
            **common, subject=domain_event.subject, message_id=domain_event.message_id,
            sent_at=domain_event.sent_at, reply=getattr(domain_event, "reply", None))
    return NotificationFailed(
        **common, error=domain_event.error, failed_at=domain_event.failed_at,
        will_retry=domain_event.will_retry,
        next_attempt_at=getattr(domain_event, "next_attempt_at", None),
        permanent=getattr(domain_event, "permanent", False))
