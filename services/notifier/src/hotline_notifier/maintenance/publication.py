"""What notifier publishes on `hotline.maintenance.v1`: the maintenance windows' events.

The relay of this topic follows the same event log as the notifications relay; every event
that is not a window's (notifications, versions) and the window's private `Reminded` map to
None and stay in the log.

A change's `Scheduled` is published as `hotline.maintenance.change-announced.v1` (its
`scheduled_at` as `announced_at`); its later events keep the window's types, with `kind: change`.
Events recorded before kinds existed carry none: the contract's default, maintenance.
"""

from __future__ import annotations

from typing import Any

from hotline.contracts import (
    MaintenanceCancelled,
    MaintenanceChangeAnnounced,
    MaintenanceCompleted,
    MaintenanceRescheduled,
    MaintenanceScheduled,
    MaintenanceStarted,
)
from hotline.contracts.envelope import CloudEvent
from hotline_notifier.maintenance.window import CHANGE, MaintenanceWindow
from hotline_notifier.publication import SOURCE

CONTRACTS: dict[type, Any] = {
    MaintenanceWindow.Scheduled: MaintenanceScheduled,
    MaintenanceWindow.Rescheduled: MaintenanceRescheduled,
    MaintenanceWindow.Cancelled: MaintenanceCancelled,
    MaintenanceWindow.Started: MaintenanceStarted,
    MaintenanceWindow.Completed: MaintenanceCompleted,
}
PUBLISHED = tuple(CONTRACTS)
"""The only events this topic takes (its relay leaves the rest of the log undecoded)."""


def to_cloud_event(domain_event: Any, position: int) -> CloudEvent | None:
    contract = CONTRACTS.get(type(domain_event))
    if contract is None:
        return None
    fields = {**vars(domain_event), "window_id": domain_event.originator_id}
    if contract is MaintenanceScheduled and fields.get("kind") == CHANGE:
        contract, fields["announced_at"] = MaintenanceChangeAnnounced, fields["scheduled_at"]
    data = contract.model_validate(fields)
    return CloudEvent(
        id=f"{domain_event.originator_id}:{domain_event.originator_version}",
        source=SOURCE, type=data.ce_type, time=domain_event.timestamp,
        subject=str(domain_event.originator_id), position=position, data=data,
    )
