"""A relevant platform change notifier announces on `hotline.maintenance.v1` is no maintenance
window for the availability figures: its announcement (`change-announced`) and its later events
(`kind: change`) are tracked once, never kept as a window nor excluded from downtime."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline.sla.availability import Month
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.availability.reports import AvailabilityPolicy

OPENED = datetime.fromisoformat("2026-12-09T10:00:00-08:00")
NUMBER = "T-000042"


@pytest.fixture
def app():
    return SlaTimerApplication(env=popo_env(), clock=FixedClock(OPENED), availability=(
        AvailabilityPolicy(customers=lambda: ["Acme Corp"])))


def cloud(data: contracts.EventBody, position: int, source: str = "notifier") -> CloudEvent:
    return CloudEvent(id=f"e:{position}", source=f"/hotline/{source}", type=data.ce_type,
                      time=OPENED, subject="x", position=position, data=data)


def window(**fields) -> dict:
    return dict(starts_at=OPENED, ends_at=OPENED + timedelta(minutes=2), services=["core"],
                customers=["Acme Corp"], all_customers=False, emergency=False, reason="new SBC",
                **fields)


def test_a_change_is_tracked_but_never_a_maintenance_window(app):
    app.take(cloud(contracts.TicketOpened(
        ticket_id=contracts.ticket_id_for(NUMBER), ticket_number=NUMBER, customer="Acme Corp",
        location="x", issue="i", description="d", priority=1, channel="http",
        contact="noc@acme.example", received_at=OPENED, off_hours=False), 1, "intake"))
    app.record_outage(NUMBER, "core", "platform", ends_at=OPENED + timedelta(minutes=5))
    change_id = uuid4()
    announced = cloud(contracts.MaintenanceChangeAnnounced(
        window_id=change_id, announced_at=OPENED - timedelta(days=2), **window()), 2)
    assert app.take_maintenance(announced) and not app.take_maintenance(announced)
    later = [contracts.MaintenanceStarted(window_id=change_id, started_at=OPENED,
                                          recorded_at=OPENED, **window(kind="change")),
             contracts.MaintenanceCompleted(window_id=change_id, completed_at=OPENED,
                                            **window(kind="change"))]
    for position, data in enumerate(later, start=3):
        assert app.take_maintenance(cloud(data, position))
    assert app._window(change_id) is None
    [core, _] = app.figures(Month.parse("2026-12"), "Acme Corp")
    assert core.downtime_seconds == 300 and core.excluded_maintenance_seconds == 0
