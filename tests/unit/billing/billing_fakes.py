"""Building blocks for billing tests: an in-memory BillingApplication on a fixed clock, and the
upstream CloudEvents it consumes (review outcomes, ticket openings, priority changes)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from hotline.clock import FixedClock
from hotline.contracts import PriorityChanged, ReviewRecorded, TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline.contracts.reviews import WorkLogEntry
from hotline.contracts.tickets import ticket_id_for
from hotline.eventstore import popo_env
from hotline_billing.application import BillingApplication
from hotline_billing.domain.pricing import Tariff

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc)  # 10:00 Pacific, November
_positions = iter(range(1, 10**9))


def make_app(env: dict[str, str] | None = None, tariff: Tariff | None = None,
             clock: FixedClock | None = None) -> BillingApplication:
    return BillingApplication(env=env or popo_env(), clock=clock or FixedClock(NOW),
                              tariff=tariff or Tariff())


def envelope(data: Any, source: str = "intake", position: int | None = None) -> CloudEvent:
    return CloudEvent(id=f"{uuid5(NAMESPACE_URL, repr(data))}:1", source=f"/hotline/{source}",
                      type=data.ce_type, time=NOW, subject=data.ticket_number,
                      position=position if position is not None else next(_positions), data=data)


def entry(off_hours_minutes: int, minutes: int | None = None, start: datetime | None = None,
          engineer: str = "eve@hotline.example") -> WorkLogEntry:
    start = start or NOW - timedelta(hours=10)
    minutes = off_hours_minutes if minutes is None else minutes
    return WorkLogEntry(entry_id=uuid5(NAMESPACE_URL, f"{start}{minutes}{engineer}"), engineer=engineer,
                        start=start, end=start + timedelta(minutes=minutes), note="restored the link",
                        minutes=minutes, off_hours_minutes=off_hours_minutes, logged_at=start)


def review(number: str = "T-000001", revision: int = 1, outcome: str = "customer-equipment",
           work: list[WorkLogEntry] | None = None, customer: str = "Acme Corp",
           reason: str = "the customer's router failed") -> ReviewRecorded:
    work = [entry(150)] if work is None else work
    ticket_id = ticket_id_for(number)
    return ReviewRecorded(
        review_id=uuid5(NAMESPACE_URL, f"review:{ticket_id}"), ticket_id=ticket_id,
        ticket_number=number, customer=customer, revision=revision, outcome=outcome,
        provider_at_fault=outcome == "provider-at-fault", reason=reason, recorded_at=NOW,
        priority=1, work_log=work, off_hours_minutes=sum(e.off_hours_minutes for e in work),
        calendar_version="2026.1")


def opened(number: str = "T-000002", priority: int = 4, customer: str = "Acme Corp",
           contact: str = "noc@acme.example") -> TicketOpened:
    return TicketOpened(
        ticket_id=ticket_id_for(number), ticket_number=number, customer=customer,
        location="100 Main St", issue="New VLAN", description="Please add a VLAN",
        priority=priority, channel="http", contact=contact, received_at=NOW, off_hours=False)


def reprioritised(number: str, from_priority: int, priority: int) -> PriorityChanged:
    return PriorityChanged(ticket_id=ticket_id_for(number), ticket_number=number, at=NOW,
                           from_priority=from_priority, priority=priority)


def published(app: BillingApplication) -> list[Any]:
    """The contract bodies billing would publish, in log order."""
    from hotline_billing.publication import to_cloud_event
    found = []
    for notification in app.recorder.select_notifications(start=1, limit=10_000):
        cloud_event = to_cloud_event(app.mapper.to_domain_event(notification), notification.id)
        if cloud_event is not None:
            found.append(cloud_event.data)
    return found
