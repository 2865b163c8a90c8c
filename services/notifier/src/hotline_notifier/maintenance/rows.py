"""What the maintenance tables hold for one window: its row in the listing (`WindowView`) and its
due instants. Both are derived from the aggregate alone, so the tables can be dropped and
rebuilt from the event log at any time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from hotline.contracts.maintenance import ServiceClass, WindowKind
from hotline_notifier.maintenance.window import REMINDER, MaintenanceWindow

Status = Literal["scheduled", "started", "completed", "cancelled"]


class WindowView(BaseModel):
    """A maintenance window as listed and shown."""

    id: UUID
    kind: WindowKind = Field("maintenance", description="Maintenance, or a relevant platform "
                             "change (taking effect at `starts_at`).")
    status: Status
    starts_at: datetime
    ends_at: datetime
    services: list[ServiceClass]
    customers: list[str] = Field(description="Affected customers (every one in the directory "
                                 "when `all_customers`).")
    all_customers: bool
    emergency: bool
    reason: str
    scheduled_at: datetime
    reminder_due_at: datetime | None = Field(None, description="When the reminder goes out, "
                                             "while one is owed.")
    reminded_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    version: int = Field(description="How many events the window has.")


@dataclass(frozen=True)
class MaintenanceRows:
    """One window's rows: its view, and what falls due when (replacing what the tables held)."""

    window_id: UUID
    view: WindowView
    due: list[tuple[str, datetime]] = field(default_factory=list)


def rows_of(window: MaintenanceWindow, reminder: timedelta) -> MaintenanceRows:
    due = window.due(reminder)
    view = WindowView(
        id=window.id, kind=window.kind, status=window.status, starts_at=window.starts_at,
        ends_at=window.ends_at, services=window.services, customers=window.customers,
        all_customers=window.all_customers, emergency=window.emergency, reason=window.reason,
        scheduled_at=window.scheduled_at, reminder_due_at=dict(due).get(REMINDER),
        reminded_at=window.reminded_at,
        started_at=window.started_at, completed_at=window.completed_at,
        cancelled_at=window.cancelled_at, version=window.version)
    return MaintenanceRows(window.id, view, due)
