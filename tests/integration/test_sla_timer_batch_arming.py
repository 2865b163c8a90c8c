"""sla-timer applying consumer batches on the real PostgreSQL and broker: `take_batch` leaves
the same standing deadline outcomes and due rows as `take` one by one (which, learning each
ticket's history change by change, may publish and retract on the way); a position another instance took meanwhile
sends the batch down the one-by-one path; and through `subscribe_tracked_batch` on three
partitions, redelivered and interleaved messages are applied once while an unreadable and a
poison message are dead-lettered alone — also one whose headers are not even UTF-8."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import psycopg
import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from harness import headers_dict, kafka_messages
from hotline import contracts
from hotline.clock import FixedClock
from hotline.consumer import subscribe_tracked, subscribe_tracked_batch
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import ensure_schema, postgres_env
from hotline_sla_timer.application import SlaTimerApplication

pytestmark = pytest.mark.integration
UTC = timezone.utc
MONDAY_9 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 09:00 Pacific


def event(data: contracts.EventBody, position: int, source: str = "/hotline/intake") -> CloudEvent:
    return CloudEvent(id=f"{data.ticket_id}:{position}", source=source, type=data.ce_type,
                      time=MONDAY_9, subject=data.ticket_number, position=position, data=data)


def opened(ticket_id, number: str, priority: int = 2) -> contracts.TicketOpened:
    return contracts.TicketOpened(
        ticket_id=ticket_id, ticket_number=number, customer="Acme Corp", location="x", issue="i",
        description="d", priority=priority, channel="http", contact="noc@acme.example",
        received_at=MONDAY_9, off_hours=False)


def stream() -> list[CloudEvent]:
    """Nine tickets; some change priority, get a response, are resolved, or are opened twice."""
    ids = [uuid4() for _ in range(9)]
    bodies: list[contracts.EventBody] = [opened(t, f"T-{i:06d}", 1 + i % 3) for i, t in enumerate(ids)]
    for i, t in enumerate(ids[:6]):
        number = f"T-{i:06d}"
        bodies.append(contracts.PriorityChanged(ticket_id=t, ticket_number=number,
                                                at=MONDAY_9 + timedelta(minutes=10),
                                                from_priority=1 + i % 3, priority=1))
        if i % 2:
            bodies.append(contracts.FirstResponseGiven(ticket_id=t, ticket_number=number,
                                                       at=MONDAY_9 + timedelta(hours=i)))
        if i == 5:
            bodies.append(contracts.TicketResolved(ticket_id=t, ticket_number=number,
                                                   at=MONDAY_9 + timedelta(hours=6)))
    bodies.append(opened(ids[0], "T-000000", 1))  # the same opening republished
    return [event(b, p) for p, b in enumerate(bodies, start=1)]


def make_app(url: str, schema: str, clock: FixedClock) -> SlaTimerApplication:
    ensure_schema(url, schema)
    return SlaTimerApplication(env=postgres_env(url, schema), clock=clock)


def snapshot(app: SlaTimerApplication) -> tuple[list, list]:
    """(due rows, each ticket's changes and standing outcomes), comparable across stores."""
    rows = [tuple(r[c] for c in ("ticket_id", "clock", "threshold", "kind", "due_at", "clock_version"))
            for r in app.recorder.all_timers()]
    tickets = []
    for ticket_id in app.ticket_ids():
        clocks = app.clocks(ticket_id)
        tickets.append((ticket_id, [(c.kind, c.at) for c in clocks.changes],
                        sorted((k, p.kind, p.due_at) for k, p in clocks.standing.items()),
                        sorted((c, p.stopped_at) for c, p in clocks.met.items())))
    return sorted(rows, key=str), sorted(tickets, key=str)


def stored_events(app: SlaTimerApplication) -> list[tuple]:
    events, last = [], 0
    while page := app.recorder.select_notifications(last + 1, 1000):
        last = page[-1].id
        events += [(n.originator_id, n.originator_version, n.topic) for n in page
                   if "TicketClocks" in n.topic]  # not the versions it runs with
    return events


async def test_a_batch_writes_the_same_events_and_due_rows_as_one_by_one(infra, schema):
    clock = FixedClock(MONDAY_9 + timedelta(hours=3))
    one = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    many = await asyncio.to_thread(make_app, infra.database_url, schema + "b", clock)
    events = stream()
    for e in events:
        await asyncio.to_thread(one.take, e)
    assert await asyncio.to_thread(many.take_batch, events[:7]) == 7
    assert await asyncio.to_thread(many.take_batch, events) == len(events) - 7  # first 7 redelivered
    assert await asyncio.to_thread(many.take_batch, events) == 0
    expected, got = await asyncio.to_thread(snapshot, one), await asyncio.to_thread(snapshot, many)
    assert got == expected
    assert got[0] and got[1]


async def test_a_position_taken_meanwhile_by_another_instance_sends_the_batch_one_by_one(infra, schema):
    clock = FixedClock(MONDAY_9)
    first = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    second = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    reference = await asyncio.to_thread(make_app, infra.database_url, schema + "r", clock)
    events = stream()
    for e in events:
        await asyncio.to_thread(reference.take, e)
    assert await asyncio.to_thread(second.take, events[3]) is True
    first.processed = lambda trackings: set()  # it looked before the other instance committed
    assert await asyncio.to_thread(first.take_batch, events) == len(events) - 1
    assert await asyncio.to_thread(snapshot, first) == await asyncio.to_thread(snapshot, reference)


async def test_batches_from_three_partitions_apply_once_and_dead_letter_alone(infra, schema, topic):
    clock = FixedClock(MONDAY_9)
    app = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    source = f"/hotline/t{uuid4().hex[:6]}"
    tickets = [uuid4() for _ in range(12)]
    events = [event(opened(t, f"T-{i:06d}"), i + 1, source) for i, t in enumerate(tickets)]
    poison = event(opened(uuid4(), "T-999999"), 100, source)
    delivered: Counter[int] = Counter()
    batches: list[int] = []

    async def apply_batch(batch: list[CloudEvent]) -> None:
        batches.append(len(batch))
        if any(e.position == poison.position for e in batch):
            raise RuntimeError("poison")
        await asyncio.to_thread(app.take_batch, batch)
        delivered.update(e.position for e in batch)

    async def apply(one: CloudEvent) -> None:
        if one.position == poison.position:
            raise RuntimeError("poison")
        await asyncio.to_thread(app.take, one)
        delivered[one.position] += 1

    broker = KafkaBroker(infra.kafka_bootstrap)
    subscribe_tracked_batch(broker, topic=topic, group_id=f"g-{schema}", apply_batch=apply_batch,
                            apply=apply, max_records=5, attempts=2)
    async def publish(e: CloudEvent) -> None:
        await broker.publish(e.body(), topic=topic, key=str(e.data.ticket_id).encode(), headers=e.headers())

    await broker.start()
    try:
        for e in events[:6]:  # keys spread the tickets over the three partitions
            await publish(e)
        await publish(poison)
        await broker.publish(b"\xff not a cloud event", topic=topic, key=b"k", headers={"ce_type": "garbage"})
        for e in [*events[6:], *reversed(events)]:  # every message again, as after a lost commit
            await publish(e)
        async with asyncio.timeout(60):
            while not all(delivered[e.position] >= 2 for e in events):
                await asyncio.sleep(0.05)
    finally:
        await broker.stop()

    with psycopg.connect(infra.database_url) as conn:
        tracked = conn.execute(f"SELECT notification_id FROM {schema}.sla_timer_tracking "
                               "WHERE application_name = %s ORDER BY 1", (source.rsplit('/', 1)[-1],)).fetchall()
    assert [r[0] for r in tracked] == list(range(1, 13))
    rows, _ = await asyncio.to_thread(snapshot, app)
    stored = await asyncio.to_thread(stored_events, app)
    assert sorted({r[0] for r in rows}, key=str) == sorted(tickets, key=str)
    assert len(stored) == 12 and {v for _, v, _ in stored} == {1}  # one opening each, nothing twice
    dead = await kafka_messages(infra.kafka_bootstrap, f"{topic}.dlq", min_count=2)
    errors = sorted(headers_dict(d)["hotline_dlq_error"] for d in dead)
    assert len(dead) == 2
    assert errors[0] == "RuntimeError: poison" and errors[1].startswith("unreadable")
    assert max(batches) > 1  # batches really were batches


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "single"])
async def test_a_message_with_undecodable_headers_is_dead_lettered_not_dropped_with_its_batch(
        infra, topic, batch):
    seen: list[int] = []

    async def apply_batch(events: list[CloudEvent]) -> None:
        seen.extend(e.position for e in events)

    async def apply(one: CloudEvent) -> None:
        seen.append(one.position)

    broker = KafkaBroker(infra.kafka_bootstrap)
    if batch:
        subscribe_tracked_batch(broker, topic=topic, group_id=f"g-{uuid4().hex[:6]}", apply_batch=apply_batch)
    else:
        subscribe_tracked(broker, topic=topic, group_id=f"g-{uuid4().hex[:6]}", apply=apply)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        good = [event(opened(uuid4(), f"T-{i:06d}"), i) for i in (1, 2)]
        await producer.send_and_wait(topic, good[0].body(), key=b"same",
                                     headers=[(k, v.encode()) for k, v in good[0].headers().items()])
        await producer.send_and_wait(topic, b"x", key=b"same", headers=[("ce_type", b"\xff\xfe")])
        await producer.send_and_wait(topic, good[1].body(), key=b"same",
                                     headers=[(k, v.encode()) for k, v in good[1].headers().items()])
    finally:
        await producer.stop()
    await broker.start()
    try:
        async with asyncio.timeout(30):
            while len(seen) < 2:
                await asyncio.sleep(0.05)
    finally:
        await broker.stop()
    assert seen == [1, 2]
    dead = await kafka_messages(infra.kafka_bootstrap, f"{topic}.dlq", min_count=1)
    assert len(dead) == 1 and dead[0].value == b"x"
    assert headers_dict(dead[0])["hotline_dlq_error"].startswith("unreadable")
