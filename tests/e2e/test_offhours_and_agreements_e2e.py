"""Scheduled off-hours work and P4 agreements through the running stack, with the `hotline` CLI
an agent uses: a slot requested and accepted tells the customer and moves no SLA clock; a P4's
agreed date becomes its deadline, warned and breached on hotline.sla.v1 on the simulated clock."""

from __future__ import annotations

import asyncio
import json

import pytest

from stack_cli import hotline, ok, set_clock
from test_sla_deadlines import brief, sla_events

pytestmark = pytest.mark.e2e
TICKET = {"customer": "Acme Corp", "location": "100 Main St, Springfield", "contact": "noc@acme.example"}


async def open_ticket(stack, priority: int, issue: str) -> str:
    async with stack.client("intake", "agent") as client:
        response = await client.post("/tickets", json={**TICKET, "priority": priority, "issue": issue,
                                                       "description": issue})
    assert response.status_code == 201, response.text
    return response.json()["number"]


async def sla_of(stack, number: str, until) -> dict:
    """sla-timer's timeline of the ticket, once `until(timeline)` holds."""
    async with stack.client("sla-timer") as client:
        for _ in range(150):
            response = await client.get(f"/tickets/{number}/sla")
            if response.status_code == 200 and until(response.json()):
                return response.json()
            await asyncio.sleep(0.2)
    raise AssertionError(f"sla-timer's timeline of {number} never got there: {response.text}")


async def test_an_off_hours_request_is_accepted_and_the_customer_is_told(stack):
    since = stack.mail_count()
    set_clock(stack, "2026-12-02T10:00:00-08:00")  # Wednesday, in Standard Support Hours
    number = await open_ticket(stack, 3, "Voicemail greeting lost")
    before = await sla_of(stack, number, lambda t: True)

    asked = json.loads(ok(hotline(
        stack, "ticket", "schedule-off-hours", number, "--start", "2026-12-05T20:00:00-08:00",
        "--end", "2026-12-05T23:00:00-08:00", "--requested-by", "Jane at Acme", "--json", role="agent")))
    request = asked["request_id"]
    assert (asked["status"], asked["off_hours_minutes"]) == ("requested", 180)
    in_hours = hotline(stack, "ticket", "schedule-off-hours", number, "--start", "2026-12-03T09:00:00-08:00",
                       "--end", "2026-12-03T10:00:00-08:00", role="agent")
    assert in_hours.returncode != 0 and "Standard Support Hours" in in_hours.stderr
    assert "Traceback" not in in_hours.stderr

    shown = ok(hotline(stack, "offhours", "accept", request, "--reason", "Bob is on call", role="agent"))
    assert f"{request}  {number}" in shown and "accepted" in shown
    again = hotline(stack, "offhours", "decline", request, "--reason", "changed my mind", role="agent")
    assert again.returncode != 0 and "accepted" in again.stderr

    told = await stack.wait_for_mail(
        lambda m: number in (m["Subject"] or "") and "Off-hours support scheduled" in m["Subject"],
        since=since, timeout=30)
    assert told[0]["To"] == "noc@acme.example"
    text = told[0].get_body(("plain",)).get_content()
    assert request in told[0]["Subject"] and "Bob is on call" in text and "Sat 2026-12-05 20:00 PST" in text
    await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "support requested" in m["Subject"],
                              since=since, timeout=30)

    # sla-timer took the ticket's later change, so it has read the requests too: no clock moved
    async with stack.client("intake", "agent") as client:
        assert (await client.post(f"/tickets/{number}/first-response")).status_code == 200
    after = await sla_of(stack, number, lambda t: t["clocks"]["response"]["status"] == "met")
    resolution = after["clocks"]["resolution"]
    assert resolution["clock_version"] == before["clocks"]["resolution"]["clock_version"] == 1
    assert {r.get("cause") for r in resolution["timeline"] if r["event"] == "due"} == {"opened"}
    listed = ok(hotline(stack, "offhours", "list", number, role="auditor"))
    assert request in listed and "Bob is on call" in listed


async def test_a_p4_agreement_warns_and_breaches(stack):
    since = stack.mail_count()
    set_clock(stack, "2026-12-08T09:00:00-08:00")  # Tuesday
    number = await open_ticket(stack, 4, "Portal: export call records as CSV")
    bad_date = hotline(stack, "ticket", "agree", number, "--target", "not-a-date", role="agent")
    assert bad_date.returncode != 0 and "Traceback" not in bad_date.stderr

    ok(hotline(stack, "ticket", "agree", number, "--target", "2026-12-08T13:00:00-08:00",
               "--note", "CSV export, agreed with Jane", role="agent"))
    timeline = await sla_of(stack, number, lambda t: t["clocks"]["resolution"]["status"] == "running")
    [due] = [r for r in timeline["clocks"]["resolution"]["timeline"] if r["event"] == "due"]
    assert (due["cause"], due["due_at"]) == ("agreed", "2026-12-08T21:00:00Z")
    assert [w["at"] for w in due["warnings"]] == ["2026-12-08T20:00:00Z", "2026-12-08T20:36:00Z"]
    mail = await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "Date agreed" in m["Subject"],
                                     since=since, timeout=30)
    assert "CSV export, agreed with Jane" in mail[0].get_body(("plain",)).get_content()

    set_clock(stack, "2026-12-08T12:01:00-08:00")
    events = await sla_events(stack, number, 1)
    assert brief(events, "resolution") == [("deadline-approaching", 75.0, 1)]
    set_clock(stack, "2026-12-08T13:00:00-08:00")
    events = await sla_events(stack, number, 3)
    assert brief(events, "resolution") == [("deadline-approaching", 75.0, 1),
                                           ("deadline-approaching", 90.0, 1),
                                           ("deadline-breached", 100.0, 1)]
    assert events[-1]["due_at"] == "2026-12-08T21:00:00Z" and events[-1]["priority"] == 4
