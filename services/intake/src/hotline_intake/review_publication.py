"""What intake publishes on `hotline.reviews.v1`: outage-review events as public CloudEvents.

A second relay reads the same event log as the tickets relay (its position is kept apart,
named by topic) and publishes only the review events; key and `ce_subject` are the ticket
number, so a ticket's review events stay in order on one partition."""

from __future__ import annotations

from typing import Any

from hotline import contracts
from hotline.contracts.envelope import CloudEvent
from hotline_intake.domain.review import OutageReview
from hotline_intake.publication import SOURCE, _actor


PUBLISHED = (OutageReview.Opened, OutageReview.WorkLogged, OutageReview.Recorded)
"""The only events this topic takes (its relay leaves the ticket events undecoded)."""


def to_cloud_event(domain_event: Any, position: int) -> CloudEvent | None:
    data = _contract_of(domain_event) if isinstance(domain_event, PUBLISHED) else None
    if data is None:
        return None
    return CloudEvent(id=f"{domain_event.originator_id}:{domain_event.originator_version}",
                      source=SOURCE, type=data.ce_type, time=domain_event.timestamp,
                      subject=data.ticket_number, position=position, data=data,
                      key=data.ticket_number)


def _contract_of(domain_event: Any) -> Any:
    if isinstance(domain_event, OutageReview.Opened):
        return contracts.ReviewOpened(
            **_names(domain_event, domain_event.number), opened_at=domain_event.opened_at,
            because=domain_event.because, priority=domain_event.priority, note=domain_event.note)
    if isinstance(domain_event, OutageReview.WorkLogged):
        return contracts.WorkLogged(
            **_names(domain_event, domain_event.number), entry=contracts.WorkLogEntry(**domain_event.entry),
            calendar_version=domain_event.calendar_version)
    if isinstance(domain_event, OutageReview.Recorded):
        work_log = [contracts.WorkLogEntry(**e) for e in domain_event.work_log]
        return contracts.ReviewRecorded(
            **_names(domain_event, domain_event.number), revision=domain_event.revision,
            outcome=domain_event.outcome, provider_at_fault=domain_event.outcome == "provider-at-fault",
            reason=domain_event.reason, recorded_at=domain_event.recorded_at,
            priority=domain_event.priority, work_log=work_log,
            off_hours_minutes=sum(e.off_hours_minutes for e in work_log),
            calendar_version=domain_event.calendar_version)
    return None


def _names(domain_event: Any, number: str) -> dict[str, Any]:
    return dict(review_id=domain_event.originator_id, ticket_id=domain_event.ticket_id,
                ticket_number=number, customer=domain_event.customer, actor=_actor(domain_event))
