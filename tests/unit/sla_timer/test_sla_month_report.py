"""The monthly SLA report of a customer (in memory): tickets opened in the Pacific month only
(a ticket of 30 November 23:30 Pacific is November's, one of 31 October 23:30 is not, though
both fall in UTC November), each clock met, breached or running, percentages met per priority
and per clock, and the HTML page: self-contained, with its SVG chart and every ticket."""

from __future__ import annotations

from datetime import datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_ticket_clocks import Ticket, pacific

from hotline import contracts
from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline.sla.availability import Month
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.domain.clocks import TicketClocks
from hotline_sla_timer.entrypoints.audit_http import audit_router
from hotline_sla_timer.sla_report import figures, page


def opened(app: SlaTimerApplication, number: str, priority: int, at: datetime,
           customer: str = "Acme Corp") -> Ticket:
    ticket = Ticket(app, number)
    ticket.send(contracts.TicketOpened(
        ticket_id=ticket.id, ticket_number=number, customer=customer, location="x", issue="i",
        description="d", priority=priority, channel="http", contact="noc@acme.example",
        received_at=at, off_hours=False))
    return ticket


@pytest.fixture
def app() -> SlaTimerApplication:
    clock = FixedClock(pacific(2026, 10, 31, 23, 30))
    app = SlaTimerApplication(env=popo_env(), clock=clock)
    opened(app, "T-000010", 2, pacific(2026, 10, 31, 23, 30))  # October in Pacific, November in UTC
    clock.set(pacific(2026, 11, 1, 0, 30))
    p3 = opened(app, "T-000013", 3, pacific(2026, 11, 1, 0, 30))  # a Sunday, before DST ends
    clock.set(pacific(2026, 11, 2, 9, 0))
    p2 = opened(app, "T-000011", 2, pacific(2026, 11, 2, 9, 0))
    opened(app, "T-000014", 2, pacific(2026, 11, 2, 9, 0), customer="Globex Telecom")
    opened(app, "T-000016", 4, pacific(2026, 11, 2, 9, 0))
    app.save(TicketClocks(  # kept before sla-timer recorded the customer
        ticket_id=contracts.ticket_id_for("T-000017"), ticket_number="T-000017", priority=3,
        received_at=pacific(2026, 11, 2, 9, 0), policy_version=app.policy.version,
        calendar_version=app.policy.calendar.version, targets={}, customer=None))
    p3.change(contracts.FirstResponseGiven, pacific(2026, 11, 2, 9, 0))
    clock.set(pacific(2026, 11, 3, 10, 0))
    p2.change(contracts.FirstResponseGiven, pacific(2026, 11, 2, 13, 0))
    p2.change(contracts.TicketResolved, pacific(2026, 11, 3, 10, 0))
    clock.set(pacific(2026, 11, 30, 23, 30))
    p1 = opened(app, "T-000012", 1, pacific(2026, 11, 30, 23, 30))  # November in Pacific only
    clock.set(pacific(2026, 12, 1, 5, 0))
    p1.change(contracts.FirstResponseGiven, pacific(2026, 12, 1, 5, 0))  # due 03:30: late
    opened(app, "T-000015", 2, pacific(2026, 12, 1, 0, 30))
    clock.set(pacific(2026, 12, 2, 12, 0))
    return app


def test_tickets_of_the_pacific_month_with_each_clock_and_the_percentages_met(app):
    report = figures.month_report(app, "acme corp", Month.parse("2026-11"))
    assert [t.number for t in report.tickets] == ["T-000011", "T-000012", "T-000013", "T-000016"]
    statuses = {t.number: {c.clock: c.status for c in t.clocks} for t in report.tickets}
    assert statuses == {
        "T-000011": {"response": "met", "resolution": "met", "rfo": "breached"},  # RFO due 7 Nov
        "T-000012": {"response": "breached", "resolution": "running", "rfo": "not-started"},
        "T-000013": {"response": "met", "resolution": "breached", "rfo": "not-started"},
        "T-000016": {},  # P4: no clocks
    }
    p1 = report.tickets[1].clock("response")
    assert (p1.due_at, p1.actual_at) == (pacific(2026, 12, 1, 3, 30), pacific(2026, 12, 1, 5, 0))
    as_json = report.as_json()
    assert as_json["by_clock"] == {
        "response": {"met": 2, "breached": 1, "running": 0, "percent_met": "66.7"},
        "resolution": {"met": 1, "breached": 1, "running": 1, "percent_met": "50.0"},
        "rfo": {"met": 0, "breached": 1, "running": 0, "percent_met": "0.0"},
    }
    assert as_json["by_priority"] == {
        "P1": {"met": 0, "breached": 1, "running": 1, "percent_met": "0.0"},
        "P2": {"met": 2, "breached": 1, "running": 0, "percent_met": "66.7"},
        "P3": {"met": 1, "breached": 1, "running": 0, "percent_met": "50.0"},
    }
    assert as_json["overall"]["percent_met"] == "50.0"
    assert as_json["without_customer"] == 1  # T-000017


def test_month_boundaries_are_pacific(app):
    october = figures.month_report(app, "Acme Corp", Month.parse("2026-10"))
    december = figures.month_report(app, "Acme Corp", Month.parse("2026-12"))
    assert [t.number for t in october.tickets] == ["T-000010"]
    assert [t.number for t in december.tickets] == ["T-000015"]
    decided = december.as_json()["by_clock"]
    assert decided["response"]["percent_met"] == "0.0"  # due 1 December 16:00, unanswered
    assert decided["resolution"] == {"met": 0, "breached": 0, "running": 1, "percent_met": None}


def test_the_html_page_is_self_contained_with_a_chart_and_every_ticket(app):
    html = page.render(figures.month_report(app, "Acme Corp", Month.parse("2026-11")))
    assert html.count("<svg") == 1 and "</svg>" in html
    for number in ("T-000011", "T-000012", "T-000013", "T-000016"):
        assert number in html
    assert "T-000014" not in html and "T-000010" not in html
    assert "66.7" in html and "no recorded customer" in html
    for fetched in ("<script", "<link", "<img", "src=", "@import", 'href="http'):
        assert fetched not in html
    assert page.render(figures.month_report(app, "Acme Corp", Month.parse("2026-11"))) == html


def test_the_route_answers_json_or_html_and_refuses_a_bad_month(app):
    http = FastAPI()
    http.include_router(audit_router(app))
    client = TestClient(http)
    found = client.get("/reports/sla", params={"customer": "Acme Corp", "month": "2026-11"})
    assert found.status_code == 200 and len(found.json()["tickets"]) == 4
    html = client.get("/reports/sla", params={"customer": "Acme Corp", "month": "2026-11", "format": "html"})
    assert html.headers["content-type"].startswith("text/html") and "<svg" in html.text
    bad = client.get("/reports/sla", params={"customer": "Acme Corp", "month": "2026-13"})
    assert (bad.status_code, bad.json()["detail"]["reason"]) == (422, "bad_month")
