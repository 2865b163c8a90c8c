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
