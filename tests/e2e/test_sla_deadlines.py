"""SLA deadlines through the running stack, on the simulated clock: tickets opened by email and
HTTP, time moved with `hotline clock`, deadline events read from `hotline.sla.v1` and the
timeline from `hotline sla show`."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from harness import headers_dict, kafka_messages, subject_records
from smtp_client import email, send, ticket_number

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
TICKET = {"customer": "Acme Corp", "location": "100 Main St, Springfield", "issue": "Echo",
          "description": "Echo on all calls", "contact": "noc@acme.example"}


def hotline(stack, *args: str) -> str:
    env = {**stack.env, "HOTLINE_SLA_TIMER_URL": stack.url("sla-timer")}
    done = subprocess.run([HOTLINE, *args], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def sla_events(stack, number: str, count: int = 0, timeout: float = 20.0) -> list[dict]:
    """Deadline events of one ticket on hotline.sla.v1 (body + ce_type), waiting for `count`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        records = await kafka_messages(stack.kafka_bootstrap, "hotline.sla.v1")
        found = [{**json.loads(r.value), "type": headers_dict(r)["ce_type"].split(".")[2]}
                 for r in records if headers_dict(r).get("ce_subject") == number]
        found.sort(key=lambda e: (e["fired_at"], e["threshold"]))
        if len(found) >= count or loop.time() > deadline:
            return found
        await asyncio.sleep(0.3)


async def timeline(stack, number: str) -> dict:
    async with stack.client("sla-timer") as client:
        for _ in range(100):
            response = await client.get(f"/tickets/{number}/sla")
            if response.status_code == 200:
                return response.json()
            await asyncio.sleep(0.2)
    raise AssertionError(f"sla-timer never armed {number}: {response.text}")


def dues(clock: dict) -> list[tuple[int, str]]:
    return [(row["clock_version"], row["due_at"]) for row in clock["timeline"] if row["event"] == "due"]


def brief(events: list[dict], clock: str) -> list[tuple[str, float, int]]:
    return [(e["type"], e["threshold"], e["clock_version"]) for e in events if e["clock"] == clock]


async def open_ticket(stack, priority: int) -> str:
    async with stack.client("intake") as client:
        response = await client.post("/tickets", json={**TICKET, "priority": priority})
    assert response.status_code == 201, response.text
    return response.json()["number"]


async def test_a_p2_email_the_day_before_thanksgiving_warns_at_14_and_breaches_at_16_friday(stack):
    hotline(stack, "clock", "set", "2026-11-25T16:00:00-08:00")
    _, reply = await asyncio.to_thread(send, stack, email(
        subject="Acme Corp – 100 Main St, Springfield – Calls to 212 fail – Priority 2"))
    number = ticket_number(reply)
    response = (await timeline(stack, number))["clocks"]["response"]
    assert dues(response) == [(1, "2026-11-28T00:00:00Z")]  # Friday 16:00 Pacific

    hotline(stack, "clock", "set", "2026-11-27T13:59:00-08:00")
    await asyncio.sleep(1.0)
    assert await sla_events(stack, number, timeout=0) == []
    hotline(stack, "clock", "advance", "1m")
    events = await sla_events(stack, number, 1)
    assert brief(events, "response") == [("deadline-approaching", 75.0, 1)]
    assert events[0]["due_at"] == "2026-11-27T22:00:00Z" and events[0]["lateness_seconds"] == 0

    hotline(stack, "clock", "set", "2026-11-27T16:00:00-08:00")
    events = await sla_events(stack, number, 3)
    assert brief(events, "response") == [("deadline-approaching", 75.0, 1),
                                         ("deadline-approaching", 90.0, 1),
                                         ("deadline-breached", 100.0, 1)]
    breach = events[-1]
    assert breach["due_at"] == "2026-11-28T00:00:00Z" and breach["priority"] == 2
    assert breach["policy_version"].startswith("contract-sla-") and breach["calendar_version"]

    shown = hotline(stack, "sla", "show", number)
    assert "response: breached (clock version 1)" in shown
    assert "due Fri 2026-11-27 16:00:00 PST (v1, after opened)" in shown
    assert "75% warning (v1, due Fri 2026-11-27 14:00:00 PST, lateness +0.0s, P2)" in shown
    assert "breached (v1, due Fri 2026-11-27 16:00:00 PST" in shown
    as_json = json.loads(hotline(stack, "sla", "show", number, "--json"))
    # Set at opening (Wednesday 16:00), started at Friday's opening, then the marks.
    assert [r["event"] for r in as_json["clocks"]["response"]["timeline"]] == [
        "due", "started", "warning", "warning", "breached"]


async def test_a_first_response_before_the_deadline_is_met_and_never_breached(stack):
    hotline(stack, "clock", "set", "2026-11-25T16:00:00-08:00")
    number = await open_ticket(stack, 2)
    await timeline(stack, number)
    hotline(stack, "clock", "set", "2026-11-27T14:30:00-08:00")
    await sla_events(stack, number, 1)
    async with stack.client("intake") as client:
        response = await client.post(f"/tickets/{number}/first-response", json={"by": "agent"})
    assert response.status_code == 200, response.text
    events = await sla_events(stack, number, 2)
    hotline(stack, "clock", "set", "2026-11-27T16:30:00-08:00")
    await asyncio.sleep(1.5)
    events = await sla_events(stack, number, 2)
    assert brief(events, "response") == [("deadline-approaching", 75.0, 1),
                                         ("deadline-met", 100.0, 1)]
    met = events[-1]
    assert met["stopped_at"] == "2026-11-27T22:30:00Z" and met["lateness_seconds"] == -5400


async def test_a_p1_opened_on_saturday_night_runs_24x7(stack):
    hotline(stack, "clock", "set", "2026-11-28T22:00:00-08:00")
    number = await open_ticket(stack, 1)
    clocks = (await timeline(stack, number))["clocks"]
    assert dues(clocks["response"]) == [(1, "2026-11-29T10:00:00Z")]  # Sunday 02:00 Pacific
    assert dues(clocks["resolution"]) == [(1, "2026-12-01T06:00:00Z")]  # 48 h later
    hotline(stack, "clock", "advance", "4h")
    events = await sla_events(stack, number, 3)
    assert brief(events, "response") == [("deadline-approaching", 75.0, 1),
                                         ("deadline-approaching", 90.0, 1),
                                         ("deadline-breached", 100.0, 1)]


async def test_a_priority_change_p3_to_p2_recomputes_from_the_original_start(stack):
    hotline(stack, "clock", "set", "2026-11-30T09:00:00-08:00")  # Monday
    number = await open_ticket(stack, 3)
    await timeline(stack, number)
    hotline(stack, "clock", "set", "2026-11-30T10:00:00-08:00")
    async with stack.client("intake") as client:
        response = await client.post(f"/tickets/{number}/priority", json={"priority": 2})
    assert response.status_code == 200, response.text
    for _ in range(50):
        response_clock = (await timeline(stack, number))["clocks"]["response"]
        if len(dues(response_clock)) == 2:
            break
        await asyncio.sleep(0.2)
    # P3: 24 support hours → Wednesday 13:00; P2: 8 from Monday 09:00 (not 10:00) → 17:00.
    assert dues(response_clock) == [(1, "2026-12-02T21:00:00Z"), (2, "2026-12-01T01:00:00Z")]
    hotline(stack, "clock", "set", "2026-11-30T17:00:00-08:00")
    events = await sla_events(stack, number, 3)
    assert brief(events, "response") == [("deadline-approaching", 75.0, 2),
                                         ("deadline-approaching", 90.0, 2),
                                         ("deadline-breached", 100.0, 2)]
    assert Counter(e["clock_version"] for e in events if e["clock"] == "response") == {2: 3}


async def test_a_first_response_back_dated_before_a_published_breach_retracts_it_and_is_met(stack):
    hotline(stack, "clock", "set", "2026-11-30T09:00:00-08:00")  # Monday
    number = await open_ticket(stack, 1)  # response due 13:00
    await timeline(stack, number)
    hotline(stack, "clock", "set", "2026-11-30T13:00:00-08:00")
    breached = await sla_events(stack, number, 3)
    assert brief(breached, "response")[-1] == ("deadline-breached", 100.0, 1)
    hotline(stack, "clock", "set", "2026-11-30T13:05:00-08:00")
    async with stack.client("intake") as client:
        response = await client.post(f"/tickets/{number}/first-response",
                                     json={"at": "2026-11-30T12:50:00-08:00", "by": "agent"})
    assert response.status_code == 200, response.text
    records = await subject_records(stack.kafka_bootstrap, "hotline.sla.v1", number, 5)
    stream = [(headers_dict(r)["ce_type"].split(".")[2], headers_dict(r)["ce_id"], json.loads(r.value))
              for r in records
              if json.loads(r.value)["clock"] == "response"]
    assert [kind for kind, _, _ in stream] == [
        "deadline-approaching", "deadline-approaching", "deadline-breached", "deadline-retracted",
        "deadline-met"]
    (_, breach_id, _), (_, _, retracted), (_, _, met) = stream[2], stream[3], stream[4]
    assert retracted["retracted_id"] == breach_id
    assert retracted["retracted_type"] == "hotline.sla.deadline-breached.v1"
    assert retracted["reason"] == "clock-stopped" and retracted["changed_at"] == "2026-11-30T20:50:00Z"
    assert met["stopped_at"] == "2026-11-30T20:50:00Z" and met["due_at"] == "2026-11-30T21:00:00Z"
    shown = hotline(stack, "sla", "show", number)
    assert "response: met" in shown and "retracted the breach due Mon 2026-11-30 13:00:00 PST" in shown
    async with stack.client("intake") as client:
        ticket = (await client.get(f"/tickets/{number}")).json()
    assert ticket["responded_at"] == "2026-11-30T20:50:00Z"


async def test_a_change_back_dated_beyond_the_limit_is_refused_with_the_reason(stack):
    hotline(stack, "clock", "set", "2026-11-30T09:00:00-08:00")
    number = await open_ticket(stack, 2)
    hotline(stack, "clock", "set", "2026-11-30T11:00:00-08:00")
    async with stack.client("intake") as client:
        response = await client.post(f"/tickets/{number}/first-response",
                                     json={"at": "2026-11-30T10:30:00-08:00"})
    assert response.status_code == 409
    assert response.json()["detail"]["reason"] == "too_far_back"
    assert "HOTLINE_INTAKE_MAX_BACKDATE" in response.json()["detail"]["detail"]
