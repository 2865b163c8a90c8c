"""The availability API (without the token guard, which `tests/unit/identity` covers): outages
recorded and ended with their reasons refused (404 unknown, 409 P3/P4 or already ended, 422 bad
class or month), figures as one JSON entry per class, a month closed once; agents record
outages, only admins close months."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline.identity import Role, allows
from hotline.identity.roles import PERMISSION_ATTRIBUTE
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.availability.http import availability_router
from hotline_sla_timer.availability.reports import AvailabilityPolicy

OPENED = datetime.fromisoformat("2026-12-09T10:00:00-08:00")


@pytest.fixture
def clock():
    return FixedClock(OPENED)


@pytest.fixture
def client(clock):
    app = SlaTimerApplication(env=popo_env(), clock=clock,
                              availability=AvailabilityPolicy(customers=lambda: ["Acme Corp"]))
    for position, (number, priority) in enumerate((("T-000001", 1), ("T-000003", 3)), 1):
        data = contracts.TicketOpened(
            ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer="Acme Corp",
            location="x", issue="i", description="d", priority=priority, channel="http",
            contact="noc@acme.example", received_at=OPENED, off_hours=False)
        app.take(CloudEvent(id=f"e{position}", source="/hotline/intake", type=data.ce_type, time=OPENED,
                            subject=number, position=position, data=data))
    http = FastAPI()
    http.include_router(availability_router(app))
    return TestClient(http)


def test_record_end_and_report(client, clock):
    recorded = client.post("/outages/T-000001", json={"class": "core", "cause": "platform"})
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["ends_at"] is None and recorded.json()["customers"] == ["Acme Corp"]
    ended = client.post("/outages/T-000001/end", json={"at": "2026-12-09T10:04:28-08:00"})
    assert ended.json()["ends_at"] == "2026-12-09T18:04:28+00:00"
    again = client.post("/outages/T-000001/end", json={"at": "2026-12-09T10:05:00-08:00"})
    assert (again.status_code, again.json()["detail"]["reason"]) == (409, "already_ended")
    figures = client.get("/availability", params={"month": "2026-12", "customer": "Acme Corp"}).json()
    assert [(f["class"], f["downtime_seconds"], f["availability"], f["target"], f["met"], f["reported"])
            for f in figures] == [("core", 268, "99.9899", "99.99", False, False),
                                  ("supporting", 0, "100.0000", "98", True, False)]
    early = client.post("/availability/2026-12/close")
    assert (early.status_code, early.json()["detail"]["reason"]) == (409, "month_not_over")
    clock.set(datetime.fromisoformat("2027-01-04T09:00:00-08:00"))
    closed = client.post("/availability/2026-12/close").json()
    assert [(r["class"], r["met"]) for r in closed["reported"]] == [("core", False), ("supporting", True)]
    assert client.post("/availability/2026-12/close").json()["reported"] == []


@pytest.mark.parametrize(("path", "body", "status", "reason"), [
    ("/outages/T-000003", {"class": "core", "cause": "platform"}, 409, "not_an_outage"),
    ("/outages/T-000404", {"class": "core", "cause": "platform"}, 404, "unknown_ticket"),
    ("/outages/T-000001/end", {"at": "2026-12-09T10:04:28-08:00"}, 404, "unknown_outage"),
    ("/outages/42", {"class": "core", "cause": "platform"}, 422, "bad_number"),
    ("/availability/2026-13/close", None, 422, "bad_month"),
])
def test_refusals(client, path, body, status, reason):
    response = client.post(path, json=body)
    assert (response.status_code, response.json()["detail"]["reason"]) == (status, reason)


def test_a_bad_class_is_invalid(client):
    assert client.post("/outages/T-000001", json={"class": "gold", "cause": "platform"}).status_code == 422


def test_agents_record_outages_and_only_admins_close_months():
    router = availability_router(None)
    needed = {(route.path, *route.methods): getattr(route.endpoint, PERMISSION_ATTRIBUTE)
              for route in router.routes}
    assert needed[("/outages/{number}", "POST")] == needed[("/outages/{number}/end", "POST")] == "outages:write"
    assert allows(Role.AGENT, "outages:write") and not allows(Role.AUDITOR, "outages:write")
    assert allows(Role.AUDITOR, needed[("/availability", "GET")])
    assert not allows(Role.AGENT, needed[("/availability/{month}/close", "POST")])
    assert allows(Role.ADMIN, needed[("/availability/{month}/close", "POST")])
