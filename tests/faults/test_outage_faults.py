"""Outage day under faults (`make test-faults`): a wave of the surge per fault, the fault injected
while the wave runs, and then the exact counts, by business key, that nothing was lost and
nothing doubled.

The stack is the test harness's (embedded PostgreSQL, tansu, the four services, the mail sink),
except that every client reaches the broker through a TCP proxy this test owns (the broker
advertises the proxy's address), so that the proxy can cut them all off. The faults, in order:

- PostgreSQL restarted (fast shutdown: every connection cut);
- every service cut off from the broker for `CUT_SECONDS` (30 s);
- the broker restarted: its topics are in memory and come back empty; `hotline republish
  <service> --from 1 --missing` sends what the topic lacks, with the original ids;
- the mail sink refusing every message with `421` for `REFUSE_SECONDS` (60 s);
- each service SIGKILLed once at a random moment of its wave, and started again.

Each wave: `EMAILS` tickets emailed by `CLIENTS` SMTP clients and `REQUESTS` opened over HTTP by
`CLIENTS` clients, at the same time (senders retry what was refused or cut off, as real ones
do: tests/surge_load.py); then the simulated clock moves past every P1 deadline, so each ticket's
six thresholds fire. After each fault, the wave's counts must hold exactly:
every submission one ticket; one `TicketOpened` each; one armed clock set each (sla-timer's
store); each threshold (ticket, clock, threshold) fired once; one confirmation file per ticket in
the sink; no `ce_id` twice on any topic; `hotline audit verify` passes. One line per fault is
printed with the counts, and for the broker faults the time the relays took to catch up.

Sizes: HOTLINE_FAULTS_EMAILS, HOTLINE_FAULTS_REQUESTS (default 100 each per wave),
HOTLINE_FAULTS_CLIENTS (10); HOTLINE_FAULTS_SEED fixes the random kill moments.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import psycopg
import pytest
import pytest_asyncio

from harness import Infra, Stack, headers_dict, kafka_messages, start_infra, start_stack
from hotline.contracts import topics
from hotline_notifier.settings import NotifierSettings
from stack_cli import hotline, set_clock
from surge_load import Submitted, once_each, post_requests, send_emails, wait_for_confirmations

pytestmark = pytest.mark.faults

EMAILS = int(os.environ.get("HOTLINE_FAULTS_EMAILS", "100"))
REQUESTS = int(os.environ.get("HOTLINE_FAULTS_REQUESTS", "100"))
CLIENTS = int(os.environ.get("HOTLINE_FAULTS_CLIENTS", "10"))
SEED = int(os.environ.get("HOTLINE_FAULTS_SEED", str(int(time.time()))))
CUT_SECONDS = 30.0
REFUSE_SECONDS = 60.0
THRESHOLDS_PER_P1 = 6  # response and resolution: 75 %, 90 %, breach
FIRST_WAVE = datetime.fromisoformat("2027-01-06T10:00:00-08:00")  # a Wednesday
SERVICES = ("intake", "sla-timer", "notifier", "billing")
NOTIFIER_SLOTS = NotifierSettings.model_fields["concurrency"].default  # sends in flight at once
RANDOM = random.Random(SEED)


@dataclass
class Outage:
    infra: Infra
    stack: Stack
    waves: int = 0


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def outage(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("outage")
    infra = await start_infra(base / "infra", broker_proxy=True)
    try:
        stack = await start_stack(infra, base / "stack", extra_env={"HOTLINE_LOG_LEVEL": "WARNING"})
        try:
            print(f"\nfaults: seed {SEED}; waves of {EMAILS} emails + {REQUESTS} requests, "
                  f"{CLIENTS} clients each", flush=True)
            yield Outage(infra, stack)
        finally:
            await stack.close()
    finally:
        await infra.close()


# -- the faults --------------------------------------------------------------------------------
Fault = Callable[[Outage], Awaitable[str]]


async def restart_postgres(outage: Outage) -> str:
    began = time.monotonic()
    await outage.infra.restart_postgres()
    return f"PostgreSQL down and back in {time.monotonic() - began:.1f} s"


async def cut_broker(outage: Outage) -> str:
    proxy = outage.infra.broker_proxy
    assert proxy is not None
    proxy.cut()
    await asyncio.sleep(CUT_SECONDS)
    proxy.restore()
    return f"broker cut off for {CUT_SECONDS:.0f} s; relays caught up in {await caught_up(outage):.1f} s"


async def restart_broker(outage: Outage) -> str:
    await outage.infra.restart_broker()
    restored = []
    for service in SERVICES:
        done = await asyncio.to_thread(hotline, outage.stack, "republish", service, "--from", "1",
                                       "--missing", "--json")
        assert done.returncode == 0, f"republish {service}: {done.stderr}"
        restored.append(f"{service} {sum(t['published'] for t in json.loads(done.stdout))}")
    return (f"broker restarted empty; republished {', '.join(restored)}; relays caught up in "
            f"{await caught_up(outage):.1f} s")


async def refuse_mail(outage: Outage) -> str:
    outage.stack.refuse_mail({"all": 421})
    await asyncio.sleep(REFUSE_SECONDS)
    outage.stack.refuse_mail(None)
    return f"sink refused every message (421) for {REFUSE_SECONDS:.0f} s"


def kill(service: str) -> Fault:
    async def fault(outage: Outage) -> str:
        outage.stack.kill(service)
        await asyncio.sleep(0.5)
        began = time.monotonic()
        await outage.stack.start(service)
        return f"{service} SIGKILLed, started again in {time.monotonic() - began:.1f} s"

    fault.__name__ = f"kill_{service}"
    return fault


async def caught_up(outage: Outage, timeout: float = 300.0) -> float:
    """Seconds until every service's relays have published their whole log again."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if await relay_backlog(outage.stack) == 0:
            return time.monotonic() - began
        await asyncio.sleep(0.2)
    raise AssertionError(f"relays still behind after {timeout:.0f} s")


async def relay_backlog(stack: Stack) -> int:
    total = 0
    for service in SERVICES:
        async with stack.client(service) as http:
            try:
                text = (await http.get("/metrics")).text
            except httpx.TransportError:
                return -1
        total += sum(int(float(line.rsplit(" ", 1)[1])) for line in text.splitlines()
                     if line.startswith("hotline_relay_backlog"))
    return total


# -- one wave ----------------------------------------------------------------------------------
async def wave(outage: Outage, fault: Fault, *, at: float, during_firing: bool = False,
               resends: int = 0) -> None:
    """Run a wave with `fault` injected `at` seconds after it began (or after the clock moved
    past the deadlines, for a fault meant for the firing); then count."""
    stack, index = outage.stack, outage.waves
    outage.waves += 1
    opened_at = FIRST_WAVE + timedelta(days=21 * index)
    await asyncio.to_thread(set_clock, stack, opened_at.isoformat())
    since, run = stack.mail_count(), f"w{index}-{RANDOM.randrange(16**6):06x}"

    async def injected() -> str:
        await asyncio.sleep(at)
        return await fault(outage)

    fault_task = None if during_firing else asyncio.create_task(injected())
    emailed, posted = await asyncio.gather(
        asyncio.to_thread(send_emails, stack.intake_smtp, run, EMAILS, CLIENTS),
        post_requests(stack.url("intake"), stack.tokens["agent"], run, REQUESTS, CLIENTS))
    what = await fault_task if fault_task else None
    numbers = emailed.numbers | posted.numbers
    found = await wait_for_confirmations(stack.mail_dir, since, numbers, timeout=300)

    await asyncio.to_thread(set_clock, stack, (opened_at + timedelta(days=14)).isoformat())
    if during_firing:
        what = await injected()
    fired = await thresholds(stack, numbers, THRESHOLDS_PER_P1 * len(numbers))
    report(fault.__name__, what or "", emailed, posted, numbers, found, fired,
           await opened_events(stack, numbers), await asyncio.to_thread(armed, stack, numbers),
           await duplicate_ids(stack), await asyncio.to_thread(verify, stack), resends)


async def thresholds(stack: Stack, numbers: set[str], expected: int,
                     timeout: float = 300.0) -> Counter[tuple]:
    """Warnings and breaches per (ticket, clock, run, threshold), once `expected` keys are
    there (or the timeout passed) and a quiet period brought nothing new."""
    deadline = time.monotonic() + timeout
    while True:
        counted = await count_thresholds(stack, numbers)
        if len(counted) >= expected or time.monotonic() > deadline:
            await asyncio.sleep(3)
            return await count_thresholds(stack, numbers)
        await asyncio.sleep(1)


async def count_thresholds(stack: Stack, numbers: set[str]) -> Counter[tuple]:
    counted: Counter[tuple] = Counter()
    for record in await kafka_messages(stack.kafka_bootstrap, topics.SLA):
        kind = headers_dict(record).get("ce_type", "")
        if not kind.endswith(("deadline-approaching.v1", "deadline-breached.v1")):
            continue
        body = json.loads(record.value)
        if body.get("ticket_number") in numbers:
            counted[(body["ticket_number"], body["clock"], body.get("run", 1), body["threshold"])] += 1
    return counted


async def opened_events(stack: Stack, numbers: set[str]) -> Counter[str]:
    return Counter(headers_dict(r).get("ce_subject")
                   for r in await kafka_messages(stack.kafka_bootstrap, topics.TICKETS)
                   if headers_dict(r).get("ce_type") == "hotline.ticket.opened.v1"
                   and headers_dict(r).get("ce_subject") in numbers)


def armed(stack: Stack, numbers: set[str]) -> Counter[str]:
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            "SELECT convert_from(state, 'UTF8')::jsonb ->> 'ticket_number' FROM sla_timer.sla_timer_events "
            "WHERE topic LIKE '%TicketClocks.Opened'").fetchall()
    return Counter(n for (n,) in rows if n in numbers)


async def duplicate_ids(stack: Stack) -> dict[str, int]:
    """Per topic, how many ce_ids are on it more than once."""
    doubled = {}
    for topic in topics.ALL:
        ids = Counter(headers_dict(r).get("ce_id") for r in await kafka_messages(stack.kafka_bootstrap, topic))
        doubled[topic] = sum(1 for n in ids.values() if n > 1)
    return doubled


def verify(stack: Stack) -> str:
    done = hotline(stack, "audit", "verify", timeout=300)
    return "ok" if done.returncode == 0 else (done.stdout + done.stderr).strip().splitlines()[-1]


def report(name: str, what: str, emailed: Submitted, posted: Submitted, numbers: set[str],
           found: dict[str, list[tuple[float, str]]], fired: Counter[tuple], opened: Counter[str],
           clocks: Counter[str], doubled: dict[str, int], verified: str, resends: int) -> None:
    submitted = EMAILS + REQUESTS
    per_ticket = Counter(key[0] for key in fired)
    confirmations = {n: len(v) for n, v in found.items()}
    distinct = {n: len({message_id for _, message_id in v}) for n, v in found.items()}
    resent = sum(confirmations.values()) - sum(distinct.values())
    checks = {
        "tickets": len(emailed.tickets) + len(posted.tickets) == len(numbers) == submitted,
        "TicketOpened once": once_each(opened, numbers),
        "clocks armed once": once_each(clocks, numbers),
        "thresholds once": once_each(fired, fired) and set(per_ticket) == numbers
        and set(per_ticket.values()) == {THRESHOLDS_PER_P1},
        "confirmations once": once_each(distinct, numbers) and resent <= resends,
        "no ce_id twice": not any(doubled.values()),
        "audit verify": verified == "ok",
    }
    print(f"fault {name}: {what} | {len(numbers)}/{submitted} tickets "
          f"({emailed.retries + posted.retries} retries, {len(emailed.lost) + len(posted.lost)} lost), "
          f"{sum(opened.values())} TicketOpened, {sum(clocks.values())} clock sets, "
          f"{len(fired)} thresholds ({sum(fired.values())} fired), "
          f"{sum(confirmations.values())} confirmation files for {len(confirmations)} tickets "
          f"({resent} resent with the same Message-ID), "
          f"{sum(doubled.values())} ce_ids twice, audit verify {verified} | "
          + ", ".join(f"{k}: {'ok' if v else 'FAILED'}" for k, v in checks.items()), flush=True)
    failed = [k for k, v in checks.items() if not v]
    assert not failed, (f"{name}: {failed}; lost: {(emailed.lost + posted.lost)[:5]}; doubled: "
                        f"{ {t: n for t, n in doubled.items() if n} }")


# -- the tests: one fault each, in this order --------------------------------------------------
@pytest.mark.timeout(900)
async def test_postgres_restart(outage: Outage) -> None:
    await wave(outage, restart_postgres, at=1.0)


@pytest.mark.timeout(900)
async def test_broker_cut_off(outage: Outage) -> None:
    await wave(outage, cut_broker, at=1.0)


@pytest.mark.timeout(900)
async def test_broker_restart(outage: Outage) -> None:
    await wave(outage, restart_broker, at=1.0)


@pytest.mark.timeout(900)
async def test_mail_refused(outage: Outage) -> None:
    await wave(outage, refuse_mail, at=0.5)


@pytest.mark.timeout(900)
@pytest.mark.parametrize("service", SERVICES)
async def test_service_killed(outage: Outage, service: str) -> None:
    # sla-timer's moment of interest is the firing; the others' is the intake of the wave.
    await wave(outage, kill(service), at=RANDOM.uniform(0.2, 3.0),
               during_firing=service == "sla-timer" and RANDOM.random() < 0.5,
               resends=NOTIFIER_SLOTS if service == "notifier" else 0)
