"""The auditor's tools through the running stack, on the simulated clock: after tickets moved
through a day (one answered in time, one P1 left unanswered past its 4 h), `hotline audit
recompute --all` finds no difference from what sla-timer published; a what-if policy with a
30-minute P2 response target finds the answered ticket late; and `hotline report sla --html`
writes a page with its SVG chart and every ticket of the month."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
ACME = {"customer": "Acme Corp", "location": "100 Main St, Springfield", "contact": "noc@acme.example",
        "issue": "Calls drop", "description": "Calls drop after 30 s"}


def hotline(stack, *args: str, role: str = "auditor") -> subprocess.CompletedProcess:
    env = {**stack.env, "HOTLINE_TOKEN": stack.tokens[role],
           "HOTLINE_SLA_TIMER_URL": stack.url("sla-timer")}
    return subprocess.run([HOTLINE, *args], env=env, capture_output=True, text=True, timeout=120)


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


async def open_ticket(stack, priority: int) -> str:
    async with stack.client("intake", "agent") as client:
        response = await client.post("/tickets", json={**ACME, "priority": priority})
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    async with stack.client("sla-timer", "auditor") as client:
        for _ in range(100):
            if (await client.get(f"/tickets/{number}/sla")).status_code == 200:
                return number
            await asyncio.sleep(0.2)
    raise AssertionError(f"sla-timer never knew {number}")


async def settled(stack, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess:
    """`hotline audit recompute …` once the firing loop has caught up with the clock's jump."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        done = await asyncio.to_thread(hotline, stack, "audit", "recompute", *args)
        if done.returncode == 0 or loop.time() > deadline:
            return done
        await asyncio.sleep(1.0)


async def test_recompute_finds_nothing_on_a_healthy_run_and_the_report_shows_every_ticket(stack, tmp_path):
    ok(hotline(stack, "clock", "set", "2027-01-11T09:00:00-08:00", role="admin"))  # a Monday
    answered, late, p3 = [await open_ticket(stack, p) for p in (2, 1, 3)]
    ok(hotline(stack, "clock", "set", "2027-01-11T10:00:00-08:00", role="admin"))
    async with stack.client("intake", "agent") as client:
        response = await client.post(f"/tickets/{answered}/first-response", json={"by": "agent"})
    assert response.status_code == 200, response.text
    ok(hotline(stack, "clock", "set", "2027-01-12T12:00:00-08:00", role="admin"))  # P1 due 13:00 Mon

    everything = await settled(stack, "--all")
    assert everything.returncode == 0, everything.stdout + everything.stderr
    assert everything.stdout.startswith("no differences (")
    mine = json.loads(ok(await settled(stack, answered, late, p3, "--json")))
    assert (mine["tickets"], mine["differences"], mine["policy"]) == (3, [], "recorded")

    policy = tmp_path / "what-if.yaml"
    policy.write_text("name: what-if\np2_response: 30m support\n")
    what_if = hotline(stack, "audit", "recompute", answered, "--policy", str(policy))
    assert what_if.returncode == 1, what_if.stderr
    assert f"{answered}  response run 1 at 100%: expected breached" in what_if.stdout
    assert "published met" in what_if.stdout
    agent = hotline(stack, "audit", "recompute", "--all", role="agent")
    assert agent.returncode == 1 and "403" in agent.stderr

    page = tmp_path / "acme-2027-01.html"
    ok(hotline(stack, "report", "sla", "--customer", "Acme Corp", "--month", "2027-01", "--html", str(page)))
    html = page.read_text()
    assert "<svg" in html and all(number in html for number in (answered, late, p3))
    report = json.loads(ok(hotline(stack, "report", "sla", "--customer", "Acme Corp", "--month",
                                   "2027-01", "--json", role="agent")))
    clocks = {t["number"]: t["clocks"] for t in report["tickets"]}
    assert clocks[answered]["response"]["status"] == "met"
    assert clocks[late]["response"]["status"] == "breached"
    assert clocks[p3]["response"]["status"] == "running"  # 24 support hours: due Wednesday 12:00
