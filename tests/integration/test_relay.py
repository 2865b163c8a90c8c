"""The relay against the real PostgreSQL and broker: each event published once per
position, in per-key order, resuming from the recorded position after a restart."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from harness import headers_dict, kafka_messages
from hotline.calendar import SupportCalendar
from hotline.clock import SystemClock
from hotline.eventstore import ensure_schema, postgres_env
from hotline.follower import LogPositions
from hotline.kafka import make_producer
from hotline.relay import Relay
from hotline.settings import ServiceSettings
from hotline_intake.adapters.ticket_numbers import PostgresTicketNumbers
from hotline_intake.application import IntakeApplication
from hotline_intake.publication import to_cloud_event

pytestmark = pytest.mark.integration


def intake_app(database_url: str, schema: str) -> IntakeApplication:
    """Intake on its own schema; its log starts with the calendar version it records (`BASE`
    entries, which the relay passes over: they are not published)."""
    ensure_schema(database_url, schema)
    app = IntakeApplication(
        env=postgres_env(database_url, schema),
        numbers=PostgresTicketNumbers(database_url, schema),
        calendar=SupportCalendar(), clock=SystemClock(),
    )
    assert app.recorder.max_notification_id() == BASE
    return app


BASE = 2  # the version registry's Created and Recorded (calendar)


def open_tickets(app: IntakeApplication, count: int) -> list[str]:
    return [app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield",
                            issue=f"issue {i}", description="d", priority=2,
                            priority_defaulted=False, channel="http",
                            contact="noc@acme.example").number for i in range(count)]


async def run_relay_until(relay: Relay, position: int, timeout: float = 20.0) -> None:
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(timeout):
            while relay.position < position:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_relay_publishes_each_position_once_and_resumes_after_restart(infra, schema, topic, pool):
    app = await asyncio.to_thread(intake_app, infra.database_url, schema)
    settings = ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap, service_name="intake")
    positions = LogPositions(pool, schema)
    await positions.setup()
    producer = make_producer(settings)
    await producer.start()
    try:
        await asyncio.to_thread(open_tickets, app, 5)
        first = Relay(name="r", app=app, producer=producer, topic=topic,
                      to_cloud_event=to_cloud_event, positions=positions)
        await run_relay_until(first, BASE + 5)
        assert await positions.load("r") == BASE + 5

        # A restart resumes from the recorded position: only the new events go out.
        await asyncio.to_thread(open_tickets, app, 3)
        second = Relay(name="r", app=app, producer=producer, topic=topic,
                       to_cloud_event=to_cloud_event, positions=positions)
        await run_relay_until(second, BASE + 8)
        assert second.published == 3
    finally:
        await producer.stop()

    records = await kafka_messages(infra.kafka_bootstrap, topic, min_count=8)
    headers = [headers_dict(r) for r in records]
    assert sorted(int(h["hotline_position"]) for h in headers) == list(range(BASE + 1, BASE + 9))
    assert Counter(h["ce_id"] for h in headers).most_common(1)[0][1] == 1
    assert {h["ce_type"] for h in headers} == {"hotline.ticket.opened.v1"}
    for record, h in zip(records, headers):
        assert record.key.decode() == h["ce_id"].split(":")[0]  # key = ticket id
        assert h["content-type"] == "application/json"
        assert h["ce_source"] == "/hotline/intake"
        assert h["ce_subject"].startswith("T-")


async def test_relay_keeps_per_key_order(infra, schema, topic, pool):
    app = await asyncio.to_thread(intake_app, infra.database_url, schema)
    await asyncio.to_thread(open_tickets, app, 20)
    positions = LogPositions(pool, schema)
    await positions.setup()
    producer = make_producer(ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap))
    await producer.start()
    try:
        await run_relay_until(Relay(name="r", app=app, producer=producer, topic=topic,
                                    to_cloud_event=to_cloud_event, positions=positions), BASE + 20)
    finally:
        await producer.stop()
    records = await kafka_messages(infra.kafka_bootstrap, topic, min_count=20)
    by_partition: dict[int, list[int]] = {}
    for record in records:
        by_partition.setdefault(record.partition, []).append(
            int(headers_dict(record)["hotline_position"]))
    assert len(by_partition) > 1, "keys spread over several partitions"
    for partition_positions in by_partition.values():
        assert partition_positions == sorted(partition_positions)


async def test_two_replicas_relay_each_position_once(infra, schema, topic, pool):
    """Only the replica holding the relay's advisory lock publishes; the other stands by."""
    app = await asyncio.to_thread(intake_app, infra.database_url, schema)
    await asyncio.to_thread(open_tickets, app, 10)
    positions = LogPositions(pool, schema)
    await positions.setup()
    producer = make_producer(ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap))
    await producer.start()
    relays = [Relay(name="r", app=app, producer=producer, topic=topic,
                    to_cloud_event=to_cloud_event, positions=positions) for _ in range(2)]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    try:
        async with asyncio.timeout(20):
            while max(r.position for r in relays) < BASE + 10:
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await producer.stop()
    assert sorted(r.published for r in relays) == [0, 10]
    records = await kafka_messages(infra.kafka_bootstrap, topic, min_count=10)
    assert sorted(int(headers_dict(r)["hotline_position"]) for r in records) == list(range(BASE + 1, BASE + 11))
