"""What sla-timer publishes on `hotline.sla.v1`: the deadline events and their corrections, as
the contract's models. The ticket's recorded changes stay private to the service."""

from __future__ import annotations

from typing import Any

from hotline.contracts import sla
from hotline.contracts.base import EventBody
from hotline.contracts.envelope import CloudEvent
from hotline_sla_timer.domain.clocks import TicketClocks

SOURCE = "/hotline/sla-timer"

CONTRACTS: dict[type, type[sla.DeadlineEvent]] = {
    TicketClocks.DeadlineApproaching: sla.DeadlineApproaching,
    TicketClocks.DeadlineBreached: sla.DeadlineBreached,
    TicketClocks.DeadlineMet: sla.DeadlineMet,
}
TYPES = {name.__name__: contract.ce_type for name, contract in CONTRACTS.items()}  # type: ignore[attr-defined]


def ce_id(ticket_id: object, version: int) -> str:
    """The stable id of the event at `version` of a ticket's clocks (see the relay)."""
    return f"{ticket_id}:{version}"


def deadline_body(domain_event: Any) -> EventBody | None:
    if isinstance(domain_event, TicketClocks.DeadlineRetracted):
        return _retracted(domain_event)
    if isinstance(domain_event, TicketClocks.DeadlineReopened):
        return _reopened(domain_event)
    contract = CONTRACTS.get(type(domain_event))
    if contract is None:
        return None
    extra = {"stopped_at": domain_event.stopped_at} if contract is sla.DeadlineMet else {}
    return contract(
        ticket_id=domain_event.originator_id, ticket_number=domain_event.ticket_number,
        clock=domain_event.clock, threshold=domain_event.threshold, due_at=domain_event.due_at,
        fired_at=domain_event.fired_at,
        lateness_seconds=(domain_event.fired_at - domain_event.due_at).total_seconds(),
        clock_version=domain_event.clock_version, priority=domain_event.priority,
        policy_version=domain_event.policy_version, calendar_version=domain_event.calendar_version,
        run=getattr(domain_event, "run", 1), **extra,
    )


def _retracted(event: Any) -> sla.DeadlineRetracted:
    return sla.DeadlineRetracted(
        ticket_id=event.originator_id, ticket_number=event.ticket_number, clock=event.clock,
        threshold=event.threshold, run=event.run,
        retracted_id=ce_id(event.originator_id, event.retracted_version),
        retracted_type=TYPES[event.retracted_kind], due_at=event.due_at, reason=event.reason,
        detail=event.detail, changed_at=event.changed_at, retracted_at=event.fired_at,
        priority=event.priority, policy_version=event.policy_version,
        calendar_version=event.calendar_version,
    )


def _reopened(event: Any) -> sla.DeadlineReopened:
    return sla.DeadlineReopened(
        ticket_id=event.originator_id, ticket_number=event.ticket_number, clock=event.clock,
        run=event.run, met_id=ce_id(event.originator_id, event.met_version),
        stopped_at=event.stopped_at, reopened_at=event.reopened_at, recorded_at=event.fired_at,
        priority=event.priority, policy_version=event.policy_version,
        calendar_version=event.calendar_version,
    )


def to_cloud_event(domain_event: Any, position: int) -> CloudEvent | None:
    data = deadline_body(domain_event)
    if data is None:
        return None
    return CloudEvent(
        id=ce_id(domain_event.originator_id, domain_event.originator_version), source=SOURCE,
        type=data.ce_type, time=domain_event.timestamp,  # type: ignore[attr-defined]
        subject=data.ticket_number, position=position, data=data,  # type: ignore[attr-defined]
    )
