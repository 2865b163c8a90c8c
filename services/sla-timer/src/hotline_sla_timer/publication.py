"""What sla-timer publishes on `hotline.sla.v1`: the fired deadline events, as the contract's
models. The ticket's recorded changes stay private to the service."""

from __future__ import annotations

from typing import Any

from hotline.contracts import sla
from hotline.contracts.envelope import CloudEvent
from hotline_sla_timer.domain.clocks import TicketClocks

SOURCE = "/hotline/sla-timer"

CONTRACTS: dict[type, type[sla.DeadlineEvent]] = {
    TicketClocks.DeadlineApproaching: sla.DeadlineApproaching,
    TicketClocks.DeadlineBreached: sla.DeadlineBreached,
    TicketClocks.DeadlineMet: sla.DeadlineMet,
}


def deadline_body(domain_event: Any) -> sla.DeadlineEvent | None:
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
        **extra,
    )


def to_cloud_event(domain_event: Any, position: int) -> CloudEvent | None:
    data = deadline_body(domain_event)
    if data is None:
        return None
    return CloudEvent(
        id=f"{domain_event.originator_id}:{domain_event.originator_version}", source=SOURCE,
        type=data.ce_type, time=domain_event.timestamp, subject=data.ticket_number,
        position=position, data=data,
    )
