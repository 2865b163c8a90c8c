"""intake's part of a ticket's history: ticket events and the conversation with one-line
summaries, the outage review a P1 in Off Hours opens and its work log; only auditors and admins
read histories; the CLI's text shows each instant in Pacific and UTC."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from fastapi.routing import APIRoute
from intake_fakes import make_app

from hotline.clock import FixedClock
from hotline.history import PERMISSION
from hotline.identity.roles import PERMISSION_ATTRIBUTE, Role, allows
from hotline_intake.entrypoints.history_api import history_router
from hotline_intake.history import part
from hotline_intake.history_cli import lines, when

SAT_0200_PT = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


def test_ticket_events_conversation_and_review():
    clock = FixedClock(SAT_0200_PT)
    app = make_app(clock)
    ticket = app.open_ticket(
        customer="Acme Corp", location="100 Main St, Springfield", issue="All lines down",
        description="Power cut.", priority=1, priority_defaulted=False, channel="email",
        contact="noc@acme.example")
    clock.advance(timedelta(hours=3))
    app.reply(ticket.number, message="We are on site.\nMore later.", by="alice@hotline.example")
    app.log_work(ticket.number, start=SAT_0200_PT + timedelta(minutes=10),
                 end=SAT_0200_PT + timedelta(hours=2, minutes=40), engineer="alice@hotline.example",
                 note="Replaced the line card")
    found = part(app, ticket.number)
    assert [(e["type"], e["summary"]) for e in found["entries"]] == [
        ("Ticket.Opened", "opened P1 by email from noc@acme.example: Acme Corp – 100 Main St, "
                          "Springfield – All lines down"),
        ("Ticket.CommentAdded", "agent reply by alice@hotline.example: We are on site."),
        ("OutageReview.Opened", "outage review opened (p1-off-hours)"),
        ("OutageReview.WorkLogged", "work logged by alice@hotline.example: 150 min, 150 off-hours "
                                    "(Replaced the line card)"),
    ]
    opened = found["entries"][0]
    assert (opened["service"], opened["version"], opened["at"]) == ("intake", 1, "2026-11-28T10:00:00Z")
    assert opened["aggregate"] == str(ticket.id) and "trace_context" not in opened["detail"]
    assert found["entries"][3]["at"] == "2026-11-28T13:00:00Z"
    assert found["state"] is None
    then = part(app, ticket.number, SAT_0200_PT + timedelta(hours=1))
    assert [e["type"] for e in then["entries"]] == ["Ticket.Opened", "OutageReview.Opened"]
    assert then["state"]["review"]["work_log"] == [] and then["state"]["ticket"]["conversation"] == []


def test_only_auditors_and_admins_read_histories():
    routes = [r for r in history_router(make_app()).routes if isinstance(r, APIRoute)]
    assert {r.path for r in routes} == {"/tickets/{number}/events", "/tickets/{number}/history"}
    assert {getattr(r.endpoint, PERMISSION_ATTRIBUTE) for r in routes} == {PERMISSION}
    assert [allows(role, PERMISSION) for role in Role] == [False, False, True, True, False]  # customer: no


def test_the_cli_text_shows_pacific_and_utc():
    pacific = ZoneInfo("America/Los_Angeles")
    assert when("2026-11-28T10:00:00Z", pacific) == "Sat 2026-11-28 02:00:00 PST | 2026-11-28T10:00:00Z"
    entry = {"service": "intake", "type": "Ticket.Resolved", "summary": "resolved", "at": "2026-11-28T10:00:00Z"}
    state = {"intake": {"ticket": {"status": "resolved", "priority": 1, "conversation": []}},
             "sla_timer": {"clocks": {"clocks": {"resolution": {
                 "status": "met", "clock_version": 2, "due_at": "2026-11-28T14:00:00Z"}}}}}
    text = lines({"ticket": "T-000001", "as_of": "2026-11-28T11:00:00Z", "entries": [entry],
                  "state": state}, pacific)
    assert text == [
        "T-000001 as of Sat 2026-11-28 03:00:00 PST | 2026-11-28T11:00:00Z",
        "Sat 2026-11-28 02:00:00 PST | 2026-11-28T10:00:00Z  intake  Ticket.Resolved  resolved",
        "",
        "then: resolved, Priority 1, 0 messages",
        "  resolution: met, v2, due Sat 2026-11-28 06:00:00 PST | 2026-11-28T14:00:00Z",
    ]
