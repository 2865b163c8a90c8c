"""A ticket's history gathered by intake from every service (in process: each service's
`/tickets/{n}/events` router behind an ASGI transport): a scripted ticket (opened P3, first
response, a reply, raised to P2, resolved) read as of three instants shows the ticket and its
clocks as they stood then; the whole history is in time order; a service that is down is
reported, the rest still served."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from intake_fakes import make_app, published

from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline.history import parse_instant
from hotline_intake.entrypoints.history_api import gather, history_router
from hotline_intake.history_settings import HistorySettings
from hotline_notifier import history as notifier_history
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.delivery import Delivered
from hotline_sla_timer import history as sla_history
from hotline_sla_timer.application import SlaTimerApplication

T0 = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)  # Monday 09:00 Pacific
FIRST_RESPONSE, REPLY, RAISED, RESOLVED = (T0 + timedelta(minutes=30), T0 + timedelta(hours=1),
                                           T0 + timedelta(hours=2), T0 + timedelta(hours=5))
SETTINGS = HistorySettings(sla_timer_url="http://sla-timer", notifier_url="http://notifier",
                           billing_url="http://billing")


class Services(httpx.AsyncBaseTransport):
    """Each service's ASGI app by host name; an unknown host is unreachable."""

    def __init__(self, **apps: FastAPI) -> None:
        self.transports = {host.replace("_", "-"): httpx.ASGITransport(app=a) for host, a in apps.items()}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.transports.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError("connection refused", request=request)
        return await transport.handle_async_request(request)


@pytest.fixture(scope="module")
def scripted():
    clock = FixedClock(T0)
    intake = make_app(clock)
    ticket = intake.open_ticket(
        customer="Acme Corp", location="100 Main St, Springfield", issue="No dial tone",
        description="Every line is silent.", priority=3, priority_defaulted=False,
        channel="http", contact="noc@acme.example")
    for at, change in ((FIRST_RESPONSE, lambda: intake.change_ticket(ticket.number, "first-response", by="alice")),
                       (REPLY, lambda: intake.reply(ticket.number, message="Looking into it")),
                       (RAISED, lambda: intake.change_ticket(ticket.number, "priority", priority=2)),
                       (RESOLVED, lambda: intake.change_ticket(ticket.number, "resolve"))):
        clock.set(at)
        change()
    sla_clock = FixedClock(T0)
    sla = SlaTimerApplication(env=popo_env(), clock=sla_clock)
    notifier = NotifierApplication(env=popo_env())
    for event in published(intake):
        data = event.data
        sla_clock.set(getattr(data, "recorded_at", None) or getattr(data, "at", None) or data.received_at)
        sla.take(event)
        notifier.take(event)
    for row in notifier.deliveries.deliveries_of_ticket(ticket.number):
        notifier.record_outcomes([(notifier.repository.get(row["notification_id"]),
                                   Delivered("250 2.0.0 Ok: queued"), T0 + timedelta(seconds=5), None)])
    apps = {}
    for name, router in (("sla_timer", sla_history.router(sla)), ("notifier", notifier_history.router(notifier))):
        apps[name] = FastAPI()
        apps[name].include_router(router)
    return intake, ticket.number, Services(**apps)


def history_at(scripted, as_of: datetime | None) -> dict:
    intake, number, services = scripted
    return asyncio.run(gather(intake, SETTINGS, number, as_of, "Bearer x", services))


def test_the_whole_history_is_in_time_order_across_services(scripted):
    found = history_at(scripted, None)
    instants = [parse_instant(e["at"]) for e in found["entries"]]
    assert instants == sorted(instants)
    assert {e["service"] for e in found["entries"]} == {"intake", "sla-timer", "notifier"}
    assert found["unavailable"] == [{"service": "billing", "reason": found["unavailable"][0]["reason"]}]
    assert "unreachable at http://billing" in found["unavailable"][0]["reason"]
    types = [(e["service"], e["type"]) for e in found["entries"]]
    assert types[:2] == [("intake", "Ticket.Opened"), ("sla-timer", "TicketClocks.Opened")]
    assert ("notifier", "Notification.Sent") in types
    raised = next(e for e in found["entries"] if e["type"] == "TicketClocks.Changed"
                  and e["detail"]["kind"] == "priority-changed")
    assert raised["summary"] == "priority-changed → P2: resolution v2 due 2026-12-07T17:00:00Z"
    assert found["state"] is None


def test_as_of_before_the_first_response(scripted):
    found = history_at(scripted, T0 + timedelta(minutes=10))
    ticket, clocks = found["state"]["intake"]["ticket"], found["state"]["sla_timer"]["clocks"]
    assert (ticket["status"], ticket["priority"], ticket["responded_at"]) == ("open", 3, None)
    assert clocks["priority"] == 3
    assert clocks["clocks"]["response"]["status"] == "running"
    assert clocks["clocks"]["resolution"] == {**clocks["clocks"]["resolution"], "status": "running",
                                              "clock_version": 1, "due_at": "2026-12-21T17:00:00Z"}
    assert all(parse_instant(e["recorded_at"]) <= T0 + timedelta(minutes=10) for e in found["entries"])
    assert [e["type"] for e in found["entries"] if e["service"] == "intake"] == ["Ticket.Opened"]


def test_as_of_after_the_priority_change(scripted):
    found = history_at(scripted, RAISED + timedelta(hours=1))
    ticket, clocks = found["state"]["intake"]["ticket"], found["state"]["sla_timer"]["clocks"]
    assert (ticket["status"], ticket["priority"]) == ("open", 2)
    assert ticket["responded_at"] == "2026-11-30T17:30:00Z" and len(ticket["conversation"]) == 1
    assert clocks["priority"] == 2
    assert clocks["clocks"]["response"]["status"] == "met"
    assert (clocks["clocks"]["resolution"]["status"], clocks["clocks"]["resolution"]["clock_version"],
            clocks["clocks"]["resolution"]["due_at"]) == ("running", 2, "2026-12-07T17:00:00Z")
    assert "Ticket.Resolved" not in [e["type"] for e in found["entries"]]


def test_as_of_after_resolution(scripted):
    found = history_at(scripted, RESOLVED + timedelta(minutes=1))
    ticket, clocks = found["state"]["intake"]["ticket"], found["state"]["sla_timer"]["clocks"]
    assert (ticket["status"], ticket["priority"], ticket["resolved_at"]) == (
        "resolved", 2, "2026-11-30T22:00:00Z")
    assert clocks["clocks"]["resolution"]["status"] == "met"
    assert clocks["clocks"]["rfo"]["status"] == "running"
    assert [m["clock"] for m in clocks["met"].values()] == ["response", "resolution"]


def test_served_over_http_with_unknown_tickets_refused(scripted):
    intake, number, services = scripted
    http = FastAPI()
    http.include_router(history_router(intake, SETTINGS, services))
    client = TestClient(http)
    answer = client.get(f"/tickets/{number}/history", params={"as_of": "2026-11-30T10:00:00-08:00"})
    assert answer.status_code == 200
    assert answer.json()["as_of"] == "2026-11-30T18:00:00Z"
    assert answer.json()["state"]["intake"]["ticket"]["responded_at"] == "2026-11-30T17:30:00Z"
    assert client.get("/tickets/T-999999/history").status_code == 404
    assert client.get("/tickets/T-999999/events").status_code == 404
    assert client.get("/tickets/nope/history").status_code == 400
    assert client.get(f"/tickets/{number}/history", params={"as_of": "2026-11-30T10:00:00"}).status_code == 422
    before = client.get(f"/tickets/{number}/events", params={"as_of": "2026-11-01T00:00:00Z"}).json()
    assert before["entries"] == [] and before["state"] == {"ticket": None, "review": None}
