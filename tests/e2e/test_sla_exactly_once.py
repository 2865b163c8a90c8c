"""Each deadline event exactly once through the running stack, counted by its business key
(ticket, clock, run, threshold) after the stream has gone quiet: with two sla-timer instances
firing the same burst while ticket events are redelivered, with an instance killed by SIGKILL
inside a firing transaction (fault injection: `HOTLINE_SLA_TIMER_FAULT_KILL_MID_BATCH` makes it
kill itself after appending a batch's events, before commit) and started again, and across
pause, resume, resolve, reopen and a restart of sla-timer after a warning has fired.
Ticket events of the burst tests are published straight to `hotline.tickets.v1` under a source
of their own; the lifecycle test goes through intake's HTTP API."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from faststream.kafka import KafkaBroker

from harness import headers_dict, kafka_messages
from hotline import contracts
from hotline.contracts.envelope import CloudEvent
from hotline.devstack import services as svc
from hotline.devstack.ports import free_port
from hotline.devstack.supervisor import Supervisor

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
UTC = timezone.utc
T0 = datetime(2027, 1, 4, 17, 0, tzinfo=UTC)  # a Monday, 09:00 Pacific
TIMERS_PER_P1 = 6  # response and resolution: 75 %, 90 %, breach


def set_clock(stack, at: datetime) -> None:
    done = subprocess.run([HOTLINE, "clock", "set", at.isoformat()], env=stack.env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


async def publish_opened(stack, count: int, *, twice: bool) -> list[str]:
    """`count` P1 tickets opened at T0 (each message twice if `twice`), from a fresh source."""
    source = f"/hotline/test-{uuid4().hex[:8]}"
    numbers = [f"T-7{uuid4().int % 10**7:07d}" for _ in range(count)]
    broker = KafkaBroker(stack.kafka_bootstrap)
    await broker.start()
    try:
        for position, number in enumerate(numbers, start=1):
            data = contracts.TicketOpened(
                ticket_id=contracts.ticket_id_for(number), ticket_number=number,
                customer="Acme Corp", location="100 Main St, Springfield", issue="burst",
                description="d", priority=1, channel="http", contact="noc@acme.example",
                received_at=T0, off_hours=False)
            event = CloudEvent(id=f"{data.ticket_id}:1", source=source, type=data.ce_type, time=T0,
                               subject=number, position=position, data=data)
            for _ in range(2 if twice else 1):
                await broker.publish(event.body(), topic="hotline.tickets.v1",
                                     key=str(data.ticket_id).encode(), headers=event.headers())
    finally:
        await broker.stop()
    return numbers


def query(stack, sql: str, numbers: list[str]) -> int:
    with psycopg.connect(stack.database_url) as conn:
        return conn.execute(sql, (numbers,)).fetchone()[0]


def armed(stack, numbers: list[str]) -> int:
    return query(stack, "SELECT count(*) FROM sla_timer.sla_timer_due_timers "
                        "WHERE ticket_number = ANY(%s)", numbers)


async def wait_armed(stack, numbers: list[str], timeout: float = 60.0) -> None:
    expected = len(numbers) * TIMERS_PER_P1
    async with asyncio.timeout(timeout):
        while await asyncio.to_thread(armed, stack, numbers) < expected:
            await asyncio.sleep(0.2)


async def deadline_events(stack, numbers: list[str], count: int, timeout: float = 60.0,
                          quiet: float = 3.0) -> list:
    """Every record of these tickets on hotline.sla.v1, once at least `count` distinct ce_ids
    are there and nothing new has arrived for `quiet` seconds (a late duplicate would show)."""
    wanted = set(numbers)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen, quiet_since = -1, loop.time()
    while True:
        records = [r for r in await kafka_messages(stack.kafka_bootstrap, "hotline.sla.v1", timeout=20)
                   if headers_dict(r).get("ce_subject") in wanted]
        if len(records) != seen:
            seen, quiet_since = len(records), loop.time()
        distinct = {headers_dict(r)["ce_id"] for r in records}
        if len(distinct) >= count and loop.time() - quiet_since >= quiet or loop.time() > deadline:
            return records
        await asyncio.sleep(0.5)


def business_keys(records: list) -> dict[tuple, set[str]]:
    """ce_ids of warnings and breaches per (ticket, clock, run, threshold)."""
    ids_per_key: dict[tuple, set[str]] = {}
    for record in records:
        kind = headers_dict(record)["ce_type"]
        if kind not in ("hotline.sla.deadline-approaching.v1", "hotline.sla.deadline-breached.v1"):
            continue
        body = json.loads(record.value)
        key = (body["ticket_number"], body["clock"], body.get("run", 1), body["threshold"])
        ids_per_key.setdefault(key, set()).add(headers_dict(record)["ce_id"])
    return ids_per_key


def assert_exactly_once(records: list, numbers: list[str]) -> None:
    ids_per_key = business_keys(records)
    # A relay may re-send an unacknowledged batch under the same ce_id; never a second event.
    assert {k: v for k, v in ids_per_key.items() if len(v) > 1} == {}
    assert len(ids_per_key) == len(numbers) * TIMERS_PER_P1
    assert Counter(k[0] for k in ids_per_key) == {n: TIMERS_PER_P1 for n in numbers}
    assert not [r for r in records if headers_dict(r)["ce_type"] == "hotline.sla.deadline-retracted.v1"]


def assignments(stack) -> int:
    # the whole log: a window of its last lines can hold the same count while new ones arrive
    return stack.log("sla-timer", lines=10**9).count("assigned to partitions")


async def test_two_instances_share_the_burst_and_fire_each_deadline_once(stack, tmp_path):
    # The stack's instance claims batches of 500, the second one batches of 25, concurrently.
    set_clock(stack, T0)
    extra = Supervisor(tmp_path / "logs")
    env = {**stack.env, "HOTLINE_SLA_TIMER_FIRE_BATCH_SIZE": "25",
           "HOTLINE_SLA_TIMER_HTTP_PORT": str(free_port())}
    spec = dataclasses.replace(svc.service_spec("sla-timer", env), name="sla-timer-2")
    try:
        await extra.start(spec)
        numbers = await publish_opened(stack, 150, twice=True)  # every ticket event redelivered
        await wait_armed(stack, numbers)
        set_clock(stack, T0 + timedelta(hours=49))
        records = await deadline_events(stack, numbers, 150 * TIMERS_PER_P1)
        assert_exactly_once(records, numbers)
        assert "fired 25 deadline events" in (tmp_path / "logs" / "sla-timer-2.log").read_text()
    finally:
        before = assignments(stack)
        await extra.stop_all()
        # Let the stack's instance take the partitions back before anything else leaves the
        # group: tansu's coordinator wedges the group for good when its last member leaves in
        # the middle of a rebalance (seen with tansu 0.6.0).
        async with asyncio.timeout(60):
            while assignments(stack) == before:
                await asyncio.sleep(0.2)


async def test_an_instance_killed_inside_a_firing_batch_loses_and_repeats_nothing(stack):
    set_clock(stack, T0)
    await stack.stop("sla-timer")
    await stack.start("sla-timer", {"HOTLINE_SLA_TIMER_FAULT_KILL_MID_BATCH": "true",
                                    "HOTLINE_SLA_TIMER_FIRE_BATCH_SIZE": "100"})
    numbers = await publish_opened(stack, 60, twice=False)
    await wait_armed(stack, numbers)
    set_clock(stack, T0 + timedelta(hours=49))
    async with asyncio.timeout(30):
        while stack.running("sla-timer"):
            await asyncio.sleep(0.1)
    assert "FAULT INJECTION: SIGKILL inside a firing batch" in stack.log("sla-timer")
    # The batch's transaction died with the process: every timer is still due, none fired.
    assert await asyncio.to_thread(armed, stack, numbers) == 60 * TIMERS_PER_P1
    assert await asyncio.to_thread(query, stack, (
        "SELECT count(*) FROM sla_timer.sla_timer_events WHERE originator_id = ANY("
        "SELECT DISTINCT ticket_id FROM sla_timer.sla_timer_due_timers WHERE ticket_number = ANY(%s))"
        " AND topic LIKE '%%Deadline%%'"), numbers) == 0

    await stack.stop("sla-timer")  # reap the dead process
    await stack.start("sla-timer")  # overdue timers fire at start-up
    records = await deadline_events(stack, numbers, 60 * TIMERS_PER_P1)
    assert_exactly_once(records, numbers)
    bodies = [json.loads(r.value) for r in records]
    assert all(b["lateness_seconds"] > 0 for b in bodies)  # late, and it says by how much
    assert await asyncio.to_thread(armed, stack, numbers) == 0


async def change(stack, number: str, command: str) -> None:
    async with stack.client("intake") as client:
        response = await client.post(f"/tickets/{number}/{command}")
    assert response.status_code == 200, response.text


async def test_pause_resume_resolve_reopen_and_a_restart_never_fire_a_warning_twice(stack):
    set_clock(stack, T0)
    async with stack.client("intake") as client:
        response = await client.post("/tickets", json={
            "customer": "Acme Corp", "location": "100 Main St, Springfield", "issue": "Down",
            "description": "All lines dead", "priority": 1, "contact": "noc@acme.example"})
    assert response.status_code == 201, response.text
    number = response.json()["number"]
    await change(stack, number, "first-response")  # the response clock is met at once
    # P1 resolution: 48 h; its 75 % warning falls due at T0 + 36 h.
    set_clock(stack, T0 + timedelta(hours=36, minutes=5))
    fired = await deadline_events(stack, [number], 2, quiet=1.0)  # met (response), 75 %
    assert ((number, "resolution", 1, 75.0)) in business_keys(fired)
    steps = [("waiting-on-customer", 10), ("customer-responded", 20), ("resolve", 30), ("reopen", 40)]
    for command, minutes in steps:
        set_clock(stack, T0 + timedelta(hours=36, minutes=minutes))
        await change(stack, number, command)
        if command == "customer-responded":  # sla-timer restarts: its state comes back from the log
            await stack.stop("sla-timer")
            await stack.start("sla-timer")
    set_clock(stack, T0 + timedelta(hours=60))  # well past the resolution's breach
    # met (response), 75 %, met (resolution), reopened, 90 %, breach
    records = await deadline_events(stack, [number], 6)
    types = Counter(headers_dict(r)["ce_type"].split(".")[2] for r in records)
    keys = business_keys(records)
    assert {k: len(v) for k, v in keys.items()} == {
        (number, "resolution", 1, 75.0): 1, (number, "resolution", 1, 90.0): 1,
        (number, "resolution", 1, 100.0): 1}
    assert types == {"deadline-met": 2, "deadline-approaching": 2, "deadline-reopened": 1,
                     "deadline-breached": 1}
    reopened = next(json.loads(r.value) for r in records
                    if headers_dict(r)["ce_type"] == "hotline.sla.deadline-reopened.v1")
    met = next(r for r in records if headers_dict(r)["ce_type"] == "hotline.sla.deadline-met.v1"
               and json.loads(r.value)["clock"] == "resolution")
    assert reopened["met_id"] == headers_dict(met)["ce_id"]
