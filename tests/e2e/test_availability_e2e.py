"""Availability SLAs through the running stack, on the simulated clock: in December 2026 (31
days, 267.84 s allowed at 99.99 %) a P1 of Acme Corp recorded as a core outage of 4 min 19 s is
met, a P1 of Globex Telecom of 4 min 28 s is missed; closing the month publishes one
availability-reported per customer and class, and the miss reaches the duty manager in exactly
one email. Outages are recorded by an agent with the CLI; closing needs an admin."""

from __future__ import annotations

import asyncio
import json

import pytest
from harness import headers_dict, subject_records
from stack_cli import hotline, ok  # noqa: E402

pytestmark = pytest.mark.e2e
DUTY = "duty-manager@hotline.example"
TICKETS = {
    "Acme Corp": {"location": "100 Main St, Springfield", "contact": "noc@acme.example"},
    "Globex Telecom": {"location": "42 Harbor Rd, Shelbyville", "contact": "support@globex.example"},
}


async def open_p1(stack, customer: str) -> str:
    async with stack.client("intake", "agent") as client:
        response = await client.post("/tickets", json={
            "customer": customer, **TICKETS[customer], "priority": 1, "issue": "No dial tone",
            "description": "All lines down"})
    assert response.status_code == 201, response.text
    return response.json()["number"]


async def record_outage(stack, number: str, end: str) -> dict:
    """Record once sla-timer has taken the ticket's opening from hotline.tickets.v1."""
    for _ in range(100):
        done = hotline(stack, "outage", "record", number, "--class", "core", "--cause", "platform",
                       "--start", "2026-12-09T10:00:00-08:00", "--end", end, "--json", role="agent")
        if done.returncode == 0:
            return json.loads(done.stdout)
        assert "unknown_ticket" in done.stderr, done.stderr
        await asyncio.sleep(0.2)
    raise AssertionError(f"sla-timer never knew {number}")


def missed_mails(stack, since: int) -> list:
    return [m for m in stack.mails(since) if (m["Subject"] or "").startswith("Availability target missed")]


async def test_a_core_outage_of_4m19s_in_a_31_day_month_is_met_and_4m28s_missed_once(stack):
    since = stack.mail_count()
    ok(hotline(stack, "clock", "set", "2026-12-09T10:10:00-08:00"))  # a Wednesday
    acme, globex = await open_p1(stack, "Acme Corp"), await open_p1(stack, "Globex Telecom")
    recorded = await record_outage(stack, acme, "2026-12-09T10:04:19-08:00")
    assert recorded["customers"] == ["Acme Corp"] and recorded["class"] == "core"
    await record_outage(stack, globex, "2026-12-09T10:04:28-08:00")
    p3 = hotline(stack, "outage", "record", "T-999999", "--class", "core", "--cause", "platform",
                 role="agent")
    assert p3.returncode == 1 and "unknown_ticket" in p3.stderr

    figures = json.loads(ok(hotline(stack, "report", "availability", "--customer", "Acme Corp",
                                    "--month", "2026-12", "--json", role="auditor")))
    core = next(f for f in figures if f["class"] == "core")
    assert {k: core[k] for k in ("seconds_in_month", "downtime_seconds", "availability", "target", "met")} == {
        "seconds_in_month": 2678400, "downtime_seconds": 259, "availability": "99.9903",
        "target": "99.99", "met": True}
    assert [o["ticket_number"] for o in core["outages"]] == [acme]
    assert [f["class"] for f in figures] == ["core", "supporting"]

    ok(hotline(stack, "clock", "set", "2027-01-04T09:00:00-08:00"))  # first business day after
    ok(hotline(stack, "report", "availability", "--close-month", "2026-12"))  # or done already
    again = json.loads(ok(hotline(stack, "report", "availability", "--close-month", "2026-12", "--json")))
    assert again["reported"] == []  # a month is reported once

    reports = {}
    for customer in TICKETS:
        [record] = await subject_records(stack.kafka_bootstrap, "hotline.sla.v1",
                                         f"{customer}/core/2026-12", 1)
        assert headers_dict(record)["ce_type"] == "hotline.sla.availability-reported.v1"
        reports[customer] = json.loads(record.value)
    assert (reports["Acme Corp"]["met"], reports["Acme Corp"]["downtime_seconds"]) == (True, 259)
    assert (reports["Globex Telecom"]["met"], reports["Globex Telecom"]["downtime_seconds"]) == (False, 268)
    assert reports["Globex Telecom"]["availability"] == "99.9899"

    await stack.wait_for_mail(lambda m: (m["Subject"] or "").startswith("Availability target missed"),
                              since=since, timeout=30)
    await asyncio.sleep(3)
    mails = missed_mails(stack, since)
    assert [(m["To"], m["Subject"]) for m in mails] == [(DUTY, (
        "Availability target missed: Globex Telecom – core services – 2026-12: 99.9899% (target 99.99%)"))]
