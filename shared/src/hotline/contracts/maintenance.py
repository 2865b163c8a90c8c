"""Maintenance-window events published by notifier on `hotline.maintenance.v1`.

A window is planned (or emergency) work on the platform that may impact customers' service, or
a relevant change made to the platform (the contract's "Notification of Potential Maintenance
or Changes"; its `kind`). Every event carries the window as it stands after the event, so each
one reads on its own; key and `ce_subject` are the window id.

A change's scheduling is published as `hotline.maintenance.change-announced.v1`, not
`scheduled`; its later events keep the window's types (`rescheduled`, `cancelled`, `started`:
it took effect, `completed`) with `kind: change`. Consumers that count maintenance windows (the
availability figures) must skip `kind: change`: a change is not a maintenance window.
"""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import Field

from hotline.contracts import topics
from hotline.contracts.base import EventBody, UtcInstant
from hotline.contracts.registry import register
from hotline.contracts.tickets import Actor

WindowKind = Literal["maintenance", "change"]
"""`maintenance`: work in a window that may impact service; `change`: a relevant change made to
the platform, taking effect at `starts_at`."""

ServiceClass = Literal["core", "supporting"]
"""The contract's service classes: Core Services (call processing, 99.99%) and Supporting
Services (management portals and back-office systems, 98%)."""


class MaintenanceWindowEvent(EventBody):
    """Fields every maintenance event carries: the window after the event."""

    window_id: UUID
    starts_at: UtcInstant = Field(description="When the work begins (a change: when it takes "
                                  "effect).")
    ends_at: UtcInstant = Field(description="When the work is planned to end (a change: when it "
                                "is rolled out by; `starts_at` when it takes effect at once).")
    services: list[ServiceClass] = Field(min_length=1, description="Service classes affected.")
    customers: list[str] = Field(description="Customers affected, as named in the directory "
                                 "(every customer in it when `all_customers`).")
    all_customers: bool = Field(description="The window affects every customer.")
    emergency: bool = Field(description="Emergency maintenance: notice may be shorter than the "
                            "24 hours planned work needs.")
    reason: str = Field(description="Why the work is done, as told to customers (a change: "
                        "what changes).")
    kind: WindowKind = Field("maintenance", description="Maintenance, or a relevant platform "
                             "change (absent before changes were announced: maintenance).")


@register("hotline.maintenance.scheduled.v1", topics.MAINTENANCE)
class MaintenanceScheduled(MaintenanceWindowEvent):
    """A maintenance window was scheduled; affected customers' contacts are told at once."""

    scheduled_at: UtcInstant
    actor: Actor | None = None


@register("hotline.maintenance.change-announced.v1", topics.MAINTENANCE)
class MaintenanceChangeAnnounced(MaintenanceWindowEvent):
    """A relevant change to the platform was announced; affected customers' contacts are told at
    once. It is not a maintenance window: its later events carry `kind: change`."""

    kind: Literal["change"] = "change"
    announced_at: UtcInstant
    actor: Actor | None = None


@register("hotline.maintenance.rescheduled.v1", topics.MAINTENANCE)
class MaintenanceRescheduled(MaintenanceWindowEvent):
    """A scheduled window moved to new times (`starts_at`, `ends_at`); contacts are told."""

    previous_starts_at: UtcInstant
    previous_ends_at: UtcInstant
    rescheduled_at: UtcInstant
    note: str | None = None
    actor: Actor | None = None


@register("hotline.maintenance.cancelled.v1", topics.MAINTENANCE)
class MaintenanceCancelled(MaintenanceWindowEvent):
    """A window was cancelled before it started; contacts are told, nothing more follows."""

    cancelled_at: UtcInstant
    note: str | None = None
    actor: Actor | None = None


@register("hotline.maintenance.started.v1", topics.MAINTENANCE)
class MaintenanceStarted(MaintenanceWindowEvent):
    """A window reached its start instant: the work has begun."""

    started_at: UtcInstant = Field(description="The window's start instant.")
    recorded_at: UtcInstant = Field(description="When notifier recorded it.")


@register("hotline.maintenance.completed.v1", topics.MAINTENANCE)
class MaintenanceCompleted(MaintenanceWindowEvent):
    """The work of a window was completed; contacts are told."""

    completed_at: UtcInstant
    note: str | None = None
    actor: Actor | None = None
