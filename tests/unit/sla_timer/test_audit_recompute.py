"""The auditor's recomputation (in memory): a healthy history, late knowledge included, has no
difference from what sla-timer published; a what-if policy with a shorter P2 response target
shows each threshold it would have decided otherwise; and neither writes anything."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_ticket_clocks import Ticket, pacific

from hotline import contracts
from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline.identity import Role, allows
from hotline.identity.roles import PERMISSION_ATTRIBUTE
from hotline.sla.policy_file import PolicyFile, load_policy_file
from hotline_sla_timer import recompute
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.entrypoints.audit_http import audit_router

MONDAY_9 = pacific(2026, 11, 2, 9, 0)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(MONDAY_9)


@pytest.fixture
def app(clock: FixedClock) -> SlaTimerApplication:
    """Four P2 tickets of Monday 09:00 (response due 17:00), by Tuesday noon:
    T-000001 answered at 13:00 (met); T-000002 never (warned, breached);
    T-000003 breached, then a first response back-dated to 11:00 learnt (all retracted, met);
    T-000004 resolved at 10:00, RFO delivered late (RFO breached), then reopened."""
    app = SlaTimerApplication(env=popo_env(), clock=clock)
    tickets = [Ticket(app, f"T-00000{n}") for n in range(1, 5)]
    for ticket in tickets:
        ticket.open(2, MONDAY_9)
    clock.set(pacific(2026, 11, 2, 10, 0))
    tickets[3].change(contracts.TicketResolved, pacific(2026, 11, 2, 10, 0), resolution="fixed")
    clock.set(pacific(2026, 11, 2, 13, 0))
    tickets[0].change(contracts.FirstResponseGiven, pacific(2026, 11, 2, 13, 0))
    clock.set(pacific(2026, 11, 3, 12, 0))
    for ticket in tickets:
        ticket.fire_due()
    tickets[2].change(contracts.FirstResponseGiven, pacific(2026, 11, 2, 11, 0))
    clock.set(pacific(2026, 11, 7, 12, 0))  # Saturday: the RFO (96 h 24x7) is overdue
    for ticket in tickets:
        ticket.fire_due()
    tickets[3].change(contracts.RfoDelivered, pacific(2026, 11, 7, 12, 0))
    tickets[3].change(contracts.TicketReopened, pacific(2026, 11, 7, 12, 5), reason="again")
    return app


def log_of(app: SlaTimerApplication) -> list[tuple[int, str]]:
    return [(n.id, n.topic) for n in app.recorder.select_notifications(1, 100_000)]


def test_a_healthy_history_has_no_difference(app):
    published = {n: [type(e).__name__ for e in app.history(contracts.ticket_id_for(n))
                     if type(e).__name__.startswith("Deadline")] for n in ("T-000002", "T-000003")}
    assert published["T-000002"].count("DeadlineBreached") == 1  # the scenario did publish
    assert "DeadlineRetracted" in published["T-000003"]  # and correct
    before = log_of(app)
    done = recompute.recompute(app)
    assert (done.tickets, done.differences, done.unverifiable, done.policy) == (4, [], [], "recorded")
    assert log_of(app) == before


def test_a_shorter_p2_response_target_shows_every_threshold_it_would_have_decided(app, tmp_path: Path):
    file = tmp_path / "what-if.yaml"
    file.write_text("name: what-if\np2_response: 3h support\nresponse_warnings: [75, 90]\n")
    what_if = load_policy_file(file)
    before = log_of(app)
    done = recompute.recompute(app, ["T-000001", "T-000002"], what_if)
    assert log_of(app) == before
    assert done.policy.startswith("what-if-") and done.tickets == 2
    rows = [(d.ticket, d.clock, d.threshold, d.expected, d.published,
             d.expected_due_at, d.published_due_at) for d in done.differences]
    assert rows == [
        # answered at 13:00: under 3 h it was late, warned at 11:15 and 11:42
        ("T-000001", "response", 75.0, "warning", None, pacific(2026, 11, 2, 11, 15), None),
        ("T-000001", "response", 90.0, "warning", None, pacific(2026, 11, 2, 11, 42), None),
        ("T-000001", "response", 100.0, "breached", "met", pacific(2026, 11, 2, 12, 0),
         pacific(2026, 11, 2, 17, 0)),
        # never answered: the same outcomes, due earlier
        ("T-000002", "response", 75.0, "warning", "warning", pacific(2026, 11, 2, 11, 15),
         pacific(2026, 11, 2, 15, 0)),
        ("T-000002", "response", 90.0, "warning", "warning", pacific(2026, 11, 2, 11, 42),
         pacific(2026, 11, 2, 16, 12)),
        ("T-000002", "response", 100.0, "breached", "breached", pacific(2026, 11, 2, 12, 0),
         pacific(2026, 11, 2, 17, 0)),
    ]
    # the same policy as the recorded one finds nothing
    assert recompute.recompute(app, None, PolicyFile()).differences == []


def test_a_threshold_just_reached_and_not_fired_is_owed_not_a_difference(clock):
    app = SlaTimerApplication(env=popo_env(), clock=clock)
    ticket = Ticket(app, "T-000009")
    ticket.open(2, MONDAY_9)
    clock.set(pacific(2026, 11, 2, 15, 0, ) + timedelta(seconds=30))  # the 75 % warning: 15:00
    assert recompute.recompute(app).owed == 1 and recompute.recompute(app).differences == []
    late = recompute.recompute(app, grace=timedelta(seconds=10)).differences
    assert [(d.threshold, d.expected, d.published) for d in late] == [(75.0, "warning", None)]
    clock.set(pacific(2026, 11, 2, 8, 0))  # the clock moved back: nothing is due yet
    assert recompute.recompute(app, grace=timedelta(0)).differences == []


def test_a_ticket_whose_recorded_versions_are_unknown_is_unverifiable(app):
    clocks = app.clocks(contracts.ticket_id_for("T-000001"))
    clocks.policy_version = "contract-sla-00000000"  # as if recorded by an instance lost since
    policies = recompute.Policies(app)
    assert policies.of(clocks) == "policy version contract-sla-00000000 was never recorded"


def test_the_route_recomputes_refuses_unknown_tickets_and_is_for_auditors(app):
    http = FastAPI()
    http.include_router(audit_router(app))
    client = TestClient(http)
    before = log_of(app)
    clean = client.post("/audit/recompute", json={"tickets": None})
    assert clean.status_code == 200, clean.text
    assert (clean.json()["tickets"], clean.json()["differences"]) == (4, [])
    what_if = client.post("/audit/recompute", json={"tickets": ["T-000001"],
                                                    "policy": {"p2_response": "3h support"}}).json()
    assert [d["threshold"] for d in what_if["differences"]] == [75.0, 90.0, 100.0]
    assert what_if["differences"][2]["expected_due_at"] == "2026-11-02T20:00:00+00:00"
    unknown = client.post("/audit/recompute", json={"tickets": ["T-000404"]})
    assert (unknown.status_code, unknown.json()["detail"]["reason"]) == (404, "unknown_ticket")
    for bad in ({"tickets": ["42"]}, {"policy": {"p2_response": "forever"}},
                {"policy": {"p2_respnse": "4h support"}}):
        assert client.post("/audit/recompute", json=bad).status_code == 422
    assert log_of(app) == before
    [route] = [r for r in audit_router(None).routes if r.path == "/audit/recompute"]
    needed = getattr(route.endpoint, PERMISSION_ATTRIBUTE)
    assert allows(Role.AUDITOR, needed) and not allows(Role.AGENT, needed)


def test_a_policy_file_reads_yaml_spellings_and_refuses_unknown_fields(tmp_path: Path):
    file = tmp_path / "p.yaml"
    file.write_text("p1_response: 2h 24x7\nresponse_warnings: 50\nreopen: restart\n")
    policy = load_policy_file(file)
    assert (policy.p1_response, policy.response_warnings, policy.p2_response) == (
        "2h 24x7", "50", "8h support")
    file.write_text("p1_respons: 2h 24x7\n")
    with pytest.raises(ValueError, match="p1_respons: Extra inputs are not permitted"):
        load_policy_file(file)
    file.write_text("- not a mapping\n")
    with pytest.raises(ValueError, match="not a mapping"):
        load_policy_file(file)


def test_an_event_published_that_the_record_does_not_support_is_a_difference(app):
    from hotline_sla_timer.domain import deadlines

    clocks = app.clocks(contracts.ticket_id_for("T-000001"))  # responded in time at 13:00
    now = app.clock.now()
    deadlines._fire(clocks, deadlines.Reached("response", 1, 75.0, pacific(2026, 11, 2, 14, 0), now, 2), now)
    app.save(clocks)
    [difference] = recompute.recompute(app, ["T-000001"]).differences
    assert (difference.clock, difference.threshold, difference.expected, difference.published,
            difference.published_due_at) == ("response", 75.0, None, "warning", pacific(2026, 11, 2, 14, 0))
