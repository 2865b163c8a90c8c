"""What sla-timer publishes on `hotline.sla.v1`: the deadline events and their corrections,
outage records and their corrections, and closed months' availability, as the contract's
models. The ticket's recorded changes and the maintenance windows it keeps stay private to the
service."""

from __future__ import annotations

from typing import Any

from hotline.contracts import sla
from hotline.contracts.base import EventBody
from hotline.contracts.envelope import CloudEvent
from hotline_sla_timer.domain.clocks import TicketClocks
from hotline_sla_timer.domain.outages import AvailabilityReport, ServiceOutage

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


def outage_body(event: Any) -> sla.OutageEvent | None:
    """An outage record event as the contract's model (the record after the event)."""
    if isinstance(event, ServiceOutage.Recorded):
        contract: type[sla.OutageEvent] = sla.OutageRecorded
        extra: dict[str, Any] = {}
    elif isinstance(event, ServiceOutage.Corrected):
        contract, extra = sla.OutageCorrected, {"correction": event.correction}
    else:
        return None
    return contract(
        outage_id=event.originator_id, service_class=event.service_class, cause=event.cause,
        starts_at=event.starts_at, ends_at=event.ends_at, customers=event.customers,
        all_customers=event.all_customers, priority=event.priority, recorded_at=event.recorded_at,
        actor=event.actor, ticket_id=event.ticket_id, ticket_number=event.ticket_number, **extra)


def report_body(event: Any) -> sla.AvailabilityReported | None:
    if not isinstance(event, AvailabilityReport.Reported):
        return None
    figure = event.figure
    return sla.AvailabilityReported(
        customer=event.customer, service_class=event.service_class, month=event.month,
        seconds_in_month=figure["seconds_in_month"], downtime_seconds=figure["downtime_seconds"],
        availability=figure["availability"], target=figure["target"], met=figure["met"],
        allowed_downtime_seconds=figure["allowed_downtime_seconds"],
        maintenance_rule=figure["maintenance_rule"], outage_ids=event.outage_ids,
        carrier_connectivity_seconds=figure["carrier_connectivity"]["downtime_seconds"],
        reported_at=event.reported_at)


def to_cloud_event(domain_event: Any, position: int) -> CloudEvent | None:
    data: EventBody | None = deadline_body(domain_event) or outage_body(domain_event)
    subject = getattr(data, "ticket_number", None)
    if data is None and (data := report_body(domain_event)) is not None:
        subject = f"{data.customer}/{data.service_class}/{data.month}"
    if data is None:
        return None
    return CloudEvent(
        id=ce_id(domain_event.originator_id, domain_event.originator_version), source=SOURCE,
        type=data.ce_type, time=domain_event.timestamp,  # type: ignore[attr-defined]
        subject=subject, position=position, data=data,
    )
