"""SLA events published by sla-timer on `hotline.sla.v1`."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register

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
