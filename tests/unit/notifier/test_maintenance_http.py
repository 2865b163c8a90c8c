"""The maintenance API (without the token guard, which `tests/unit/identity` covers): a window is
scheduled with 201; a rule broken is a 422 and a state conflict a 409, each with its reason; an
unknown window is a 404; the admin role is what changing the schedule needs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hotline.clock import FixedClock
from hotline.directory import directory_from_yaml
from hotline.eventstore import popo_env
from hotline.identity.roles import PERMISSION_ATTRIBUTE
from hotline_notifier.application import NotifierApplication
from hotline_notifier.maintenance.http import maintenance_router
from hotline_notifier.maintenance.schedule import MaintenanceSchedule

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)
DIRECTORY = directory_from_yaml("""
customers:
  - {name: Acme Corp, locations: [100 Main St], contacts: [noc@acme.example]}
""")


def make_schedule() -> MaintenanceSchedule:
    clock = FixedClock(NOW)
    return MaintenanceSchedule(NotifierApplication(env=popo_env(), clock=clock),
                               lambda: DIRECTORY, clock)


@pytest.fixture
def client() -> TestClient:
    http = FastAPI()
    http.include_router(maintenance_router(make_schedule()))
    return TestClient(http)


def window(hours: float, **overrides) -> dict:
    start = NOW + timedelta(hours=hours)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat(),
            "services": ["core"], "customers": ["Acme Corp"], "reason": "Switch upgrade",
            **overrides}


def reason(response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["reason"]


def test_schedule_show_list_and_complete(client):
    created = client.post("/maintenance", json=window(48))
    assert created.status_code == 201
    wid = created.json()["id"]
    assert client.get(f"/maintenance/{wid[:8]}").json()["status"] == "scheduled"
    assert [w["id"] for w in client.get("/maintenance").json()] == [wid]
    assert client.get("/maintenance", params={"status": "completed"}).json() == []
    assert reason(client.post(f"/maintenance/{wid}/complete")) == (409, "not_started")
    cancelled = client.post(f"/maintenance/{wid}/cancel", json={"note": "not needed"})
    assert cancelled.json()["status"] == "cancelled"
    assert reason(client.post(f"/maintenance/{wid}/cancel")) == (409, "cancelled")


def test_refusals_carry_their_reason(client):
    assert reason(client.post("/maintenance", json=window(23))) == (422, "insufficient_notice")
    assert reason(client.post("/maintenance", json=window(48, customers=["Umbrella"]))) == (
        422, "unknown_customer")
    assert reason(client.get("/maintenance/0123456789")) == (404, "unknown_window")
    assert client.post("/maintenance", json=window(48, services=["voip"])).status_code == 422
    assert client.post("/maintenance", json=window(23, emergency=True)).status_code == 201


def test_reschedule_answers_the_moved_window(client):
    wid = client.post("/maintenance", json=window(48)).json()["id"]
    moved = client.post(f"/maintenance/{wid}/reschedule", json={
        "starts_at": (NOW + timedelta(hours=72)).isoformat(),
        "ends_at": (NOW + timedelta(hours=73)).isoformat()})
    assert moved.status_code == 200 and moved.json()["reminder_due_at"] == "2026-12-04T17:00:00Z"


def test_changes_need_the_admin_role_and_reading_needs_read_all():
    permissions = {(route.path, *route.methods): getattr(route.endpoint, PERMISSION_ATTRIBUTE)
                   for route in maintenance_router(make_schedule()).routes}
    assert permissions == {
        ("/maintenance", "POST"): "admin", ("/maintenance", "GET"): "read:all",
        ("/maintenance/{window}", "GET"): "read:all",
        ("/maintenance/{window}/reschedule", "POST"): "admin",
        ("/maintenance/{window}/cancel", "POST"): "admin",
        ("/maintenance/{window}/complete", "POST"): "admin"}
