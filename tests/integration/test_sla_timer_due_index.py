"""sla-timer's due index on the real PostgreSQL: written with the clock events, fired in due
order with lateness, exactly once with two instances firing at the same time, rebuilt from the
event log."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import ensure_schema, postgres_env
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.domain.clocks import TicketClocks

pytestmark = pytest.mark.integration
UTC = timezone.utc
MONDAY_9 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 09:00 Pacific
_positions = iter(range(1, 10**9))


def event(data: contracts.EventBody) -> CloudEvent:
    return CloudEvent(id=str(uuid4()), source="/hotline/intake", type=data.ce_type,
                      time=datetime.now(UTC), subject=data.ticket_number,
                      position=next(_positions), data=data)


def opened(number: str, priority: int = 2, at: datetime = MONDAY_9) -> CloudEvent:
    return event(contracts.TicketOpened(
        ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer="Acme Corp",
        location="x", issue="i", description="d", priority=priority, channel="http",
        contact="noc@acme.example", received_at=at, off_hours=False))


def first_response(number: str, at: datetime) -> CloudEvent:
    return event(contracts.FirstResponseGiven(
        ticket_id=contracts.ticket_id_for(number), ticket_number=number, at=at))


def make_app(url: str, schema: str, clock: FixedClock) -> SlaTimerApplication:
    ensure_schema(url, schema)
    return SlaTimerApplication(env=postgres_env(url, schema), clock=clock)


def fired(app: SlaTimerApplication) -> list[TicketClocks.DeadlineFired]:
    out, last = [], 0
    while page := app.recorder.select_notifications(last + 1, 1000):
        last = page[-1].id
        out += [e for e in map(app.mapper.to_domain_event, page) if isinstance(e, TicketClocks.DeadlineFired)]
    return out


def drain(app: SlaTimerApplication, limit: int = 1000) -> int:
    total = 0
    while n := app.fire_due(limit):
        total += n
    return total


async def test_timers_are_armed_with_the_ticket_and_fire_in_due_order_with_lateness(infra, schema):
    clock = FixedClock(MONDAY_9)
    app = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    number = f"T-{uuid4().int % 10**8:08d}"
    await asyncio.to_thread(app.take, opened(number))
    rows = await asyncio.to_thread(app.recorder.all_timers)
    assert [(r["clock"], r["threshold"], r["clock_version"]) for r in rows][:3] == [
        ("response", 75.0, 1), ("response", 90.0, 1), ("response", 100.0, 1)]
    assert await asyncio.to_thread(app.fire_due) == 0  # nothing due yet

    # The service was down past the response due instant: all three fire, in due order, late.
    clock.set(MONDAY_9 + timedelta(hours=9))
    assert await asyncio.to_thread(drain, app) == 3
    events = await asyncio.to_thread(fired, app)
    assert [(type(e).__name__, e.threshold) for e in events] == [
        ("DeadlineApproaching", 75.0), ("DeadlineApproaching", 90.0), ("DeadlineBreached", 100.0)]
    assert [e.due_at for e in events] == sorted(e.due_at for e in events)
    assert events[0].fired_at - events[0].due_at == timedelta(hours=9) - timedelta(hours=6)
    assert await asyncio.to_thread(app.recorder.count_timers) == 3  # the resolution clock's
    # A late first response now owes nothing more (the breach was published).
    await asyncio.to_thread(app.take, first_response(number, clock.now()))
    assert len(await asyncio.to_thread(fired, app)) == 3


async def test_a_clock_stopped_before_its_timer_fires_emits_nothing_stale(infra, schema):
    clock = FixedClock(MONDAY_9)
    app = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    number = f"T-{uuid4().int % 10**8:08d}"
    await asyncio.to_thread(app.take, opened(number))
    clock.set(MONDAY_9 + timedelta(hours=1))
    await asyncio.to_thread(app.take, first_response(number, clock.now()))
    clock.set(MONDAY_9 + timedelta(days=30))
    await asyncio.to_thread(drain, app)
    kinds = Counter((type(e).__name__, e.clock) for e in await asyncio.to_thread(fired, app))
    assert kinds[("DeadlineMet", "response")] == 1
    assert kinds[("DeadlineApproaching", "response")] == kinds[("DeadlineBreached", "response")] == 0
    assert kinds[("DeadlineBreached", "resolution")] == 1


async def test_two_instances_firing_the_same_burst_fire_each_timer_once(infra, schema):
    clock = FixedClock(MONDAY_9)
    first = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    second = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    numbers = [f"T-{uuid4().int % 10**8:08d}" for _ in range(150)]
    for number in numbers:
        await asyncio.to_thread(first.take, opened(number))
    clock.set(MONDAY_9 + timedelta(days=60))
    counts: list[int] = []

    def run(app: SlaTimerApplication) -> None:
        counts.append(drain(app, limit=50))

    threads = [threading.Thread(target=run, args=(a,)) for a in (first, second, first, second)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    events = await asyncio.to_thread(fired, first)
    keys = Counter((e.originator_id, e.clock, e.threshold, e.clock_version) for e in events)
    assert sum(counts) == len(events) == 150 * 6  # response and resolution: 75, 90, breach
    assert max(keys.values()) == 1


async def test_ticket_events_racing_the_firing_loop_never_fire_twice(infra, schema):
    clock = FixedClock(MONDAY_9)
    consumer = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    firer = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    numbers = [f"T-{uuid4().int % 10**8:08d}" for _ in range(60)]
    for number in numbers:
        await asyncio.to_thread(consumer.take, opened(number))
    clock.set(MONDAY_9 + timedelta(hours=7, minutes=30))  # response 75% and 90% are due
    stop = threading.Event()

    def fire_loop() -> None:
        while not stop.is_set():
            firer.fire_due(7)

    thread = threading.Thread(target=fire_loop)
    thread.start()
    try:
        for number in numbers:  # respond while the warnings are being fired
            await asyncio.to_thread(consumer.take, first_response(number, clock.now()))
    finally:
        stop.set()
        thread.join()
    await asyncio.to_thread(drain, firer)
    events = [e for e in await asyncio.to_thread(fired, firer) if e.clock == "response"]
    keys = Counter((e.originator_id, e.threshold, e.clock_version) for e in events)
    assert max(keys.values()) == 1
    # Every ticket: both warnings (fired by the loop or owed at the stop) and a met, no breach.
    assert Counter(type(e).__name__ for e in events) == {"DeadlineApproaching": 120, "DeadlineMet": 60}


async def test_the_due_index_can_be_rebuilt_from_the_event_log(infra, schema):
    clock = FixedClock(MONDAY_9)
    app = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    numbers = [f"T-{uuid4().int % 10**8:08d}" for _ in range(20)]
    for i, number in enumerate(numbers):
        await asyncio.to_thread(app.take, opened(number, priority=1 + i % 4))
    await asyncio.to_thread(app.take, first_response(numbers[0], MONDAY_9 + timedelta(minutes=5)))
    clock.set(MONDAY_9 + timedelta(hours=3, minutes=30))
    await asyncio.to_thread(drain, app)
    before = await asyncio.to_thread(app.recorder.all_timers)
    with app.recorder.datastore.transaction(commit=True) as curs:
        curs.execute(f'DELETE FROM "{schema}".sla_timer_due_timers')
    assert await asyncio.to_thread(app.recorder.count_timers) == 0
    assert await asyncio.to_thread(app.rebuild_due_index) == len(before)
    assert await asyncio.to_thread(app.recorder.all_timers) == before
