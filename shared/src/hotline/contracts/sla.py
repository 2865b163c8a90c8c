"""SLA events published by sla-timer on `hotline.sla.v1`."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register
from hotline.contracts.tickets import Actor

ClockName = Literal["response", "resolution", "rfo"]


class DeadlineEvent(EventBody):
    """Fields every SLA deadline event carries."""

    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$")
    clock: ClockName
    threshold: float = Field(description="Percent of the budget: 75, 90, ...; 100 = the deadline.")
    due_at: UtcInstant = Field(description="The instant this threshold falls due.")
    fired_at: UtcInstant = Field(description="When sla-timer recorded it.")
    lateness_seconds: float = Field(
        description="fired_at − due_at in seconds (negative: before the instant, for met)."
    )
    clock_version: int = Field(ge=1, description="Increments each time the clock's targets change.")
    priority: int = Field(ge=1, le=4)
    policy_version: str
    calendar_version: str
    run: int = Field(1, ge=1, description="Which run of the clock: 1, or 2, 3, ... after a reopen "
                     "that restarts it (HOTLINE_SLA_REOPEN=restart). Each threshold is reached at "
                     "most once per run; one that is retracted may be reached again.")


@register("hotline.sla.deadline-approaching.v1", topics.SLA)
class DeadlineApproaching(DeadlineEvent):
    """A warning threshold of an SLA clock was reached while it ran."""


@register("hotline.sla.deadline-breached.v1", topics.SLA)
class DeadlineBreached(DeadlineEvent):
    """An SLA clock reached its due instant while it still ran."""


@register("hotline.sla.deadline-met.v1", topics.SLA)
class DeadlineMet(DeadlineEvent):
    """An SLA clock was stopped at or before its due instant."""

    stopped_at: UtcInstant = Field(description="The instant the clock stopped.")


RetractionReason = Literal["clock-stopped", "clock-paused", "priority-changed", "recomputed"]


@register("hotline.sla.deadline-retracted.v1", topics.SLA)
class DeadlineRetracted(EventBody):
    """An earlier deadline event no longer stands: sla-timer learnt late that the clock had
    stopped, paused or changed priority before it. Undo what you did on `retracted_id`; the
    correct outcome (a met, or the warning re-armed) follows as its own event."""

    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$")
    clock: ClockName
    threshold: float = Field(description="Threshold of the retracted event (100 = breach or met).")
    run: int = Field(ge=1)
    retracted_id: str = Field(description="ce_id of the event that no longer stands.")
    retracted_type: str = Field(description="ce_type of the event that no longer stands.")
    due_at: UtcInstant = Field(description="The due instant the retracted event named.")
    reason: RetractionReason
    detail: str = Field(description="What sla-timer learnt, in a sentence.")
    changed_at: UtcInstant = Field(description="When the change that undoes it happened.")
    retracted_at: UtcInstant = Field(description="When sla-timer recorded the retraction.")
    priority: int = Field(ge=1, le=4)
    policy_version: str
    calendar_version: str


@register("hotline.sla.deadline-reopened.v1", topics.SLA)
class DeadlineReopened(EventBody):
    """A clock that had been met runs again (the ticket was reopened): the earlier
    `deadline-met` named by `met_id` no longer stands. The clock's next outcome follows."""

    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$")
    clock: ClockName
    run: int = Field(ge=1, description="The run that goes on (resume) or begins (restart).")
    met_id: str = Field(description="ce_id of the deadline-met that no longer stands.")
    stopped_at: UtcInstant = Field(description="When the clock had stopped.")
    reopened_at: UtcInstant
    recorded_at: UtcInstant = Field(description="When sla-timer recorded it.")
    priority: int = Field(ge=1, le=4)
    policy_version: str
    calendar_version: str


ServiceClass = Literal["core", "supporting"]
OutageCause = Literal["platform", "carrier-connectivity", "customer", "third-party", "maintenance"]


class OutageEvent(EventBody):
    """Fields every outage record event carries: the record as it stands after the event.
    Key and `ce_subject`: the ticket (number); the outage's id is derived from the ticket's."""

    outage_id: UUID
    ticket_id: UUID
    ticket_number: str = Field(pattern=r"^T-\d{6,}$")
    service_class: ServiceClass = Field(description="Core Services (call processing, 99.99%) or "
                                        "Supporting Services (portals, back office, 98%).")
    cause: OutageCause = Field(description="`carrier-connectivity` outages are kept but never "
                               "count against the core figure (reported beside it).")
    starts_at: UtcInstant
    ends_at: UtcInstant | None = Field(description="None while the outage is still open.")
    customers: list[str] = Field(description="Customers affected, as named in the directory.")
    all_customers: bool = Field(description="The outage affected every customer.")
    priority: int = Field(ge=1, le=2)
    recorded_at: UtcInstant = Field(description="When sla-timer recorded this event.")
    actor: Actor | None = Field(None, description="Whose command it was.")


@register("hotline.sla.outage-recorded.v1", topics.SLA)
class OutageRecorded(OutageEvent):
    """A P1 or P2 ticket was marked as a service outage."""


@register("hotline.sla.outage-corrected.v1", topics.SLA)
class OutageCorrected(OutageEvent):
    """An outage record was corrected: the record as it now stands replaces the earlier one."""

    correction: Literal["recorded-again", "ended", "restored"] = Field(description=(
        "`recorded-again`: an agent recorded it again; `ended`: `hotline outage end`; "
        "`restored`: the ticket's first work-around or resolution ended an outage recorded "
        "while it was still open."))


@register("hotline.sla.availability-reported.v1", topics.SLA)
class AvailabilityReported(EventBody):
    """A closed month's availability of one service class for one customer (published once per
    customer, class and month). Key and `ce_subject`: `<customer>/<class>/<month>`."""

    customer: str
    service_class: ServiceClass
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="Calendar month in Pacific time.")
    seconds_in_month: int = Field(ge=1)
    downtime_seconds: float = Field(ge=0)
    availability: str = Field(pattern=r"^\d{1,3}\.\d{4}$", description="Percent, four places, "
                              "rounded down (never better than it is).")
    target: str = Field(description="Percent: 99.99 for core, 98 for supporting.")
    met: bool = Field(description="Downtime ≤ (100 − target)% of the month, decided exactly.")
    allowed_downtime_seconds: float
    maintenance_rule: str = Field(description="Which maintenance was excluded from downtime.")
    outage_ids: list[UUID] = Field(description="Outage records behind the figure.")
    carrier_connectivity_seconds: float = Field(
        0, ge=0, description="Carrier connectivity downtime, kept out of the core figure.")
    reported_at: UtcInstant
