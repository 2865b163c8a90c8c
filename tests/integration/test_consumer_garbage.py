"""Garbage on a consumed topic: malformed, truncated, oversized and wrong-schema records (drawn
by hypothesis, see tests/cloudevent_garbage.py) are each dead-lettered once with their reason,
by `subscribe_tracked` and by `subscribe_tracked_batch`, and the valid message after each of
them, on the same partition, is applied."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from cloudevent_garbage import Garbage, encoded, garbage_records, valid_event
from faststream.kafka import KafkaBroker

from harness import headers_dict, kafka_messages
from hotline.consumer import subscribe_tracked, subscribe_tracked_batch
from hotline.contracts.envelope import CloudEvent

pytestmark = pytest.mark.integration
LIMIT = 64 * 1024  # the consumers' max_record_bytes here, so that "oversized" stays small


def oversized() -> Garbage:
    event = valid_event(1, uuid4())
    return Garbage(headers=list(encoded(event).items()), body=event.body() + b" " * LIMIT,
                   reason="oversized")


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
async def test_garbage_is_dead_lettered_with_its_reason_and_the_consumer_goes_on(infra, topic, batch):
    records = [*garbage_records(5, valid_event(1, uuid4())), oversized()]
    applied: list[int] = []

    async def apply(event: CloudEvent) -> None:
        applied.append(event.position)

    async def apply_batch(events: list[CloudEvent]) -> None:
        applied.extend(e.position for e in events)

    broker = KafkaBroker(infra.kafka_bootstrap)
    group = f"g-{uuid4().hex[:6]}"
    if batch:
        subscribe_tracked_batch(broker, topic=topic, group_id=group, apply_batch=apply_batch,
                                max_records=7, max_record_bytes=LIMIT)
    else:
        subscribe_tracked(broker, topic=topic, group_id=group, apply=apply, max_record_bytes=LIMIT)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        for i, record in enumerate(records):  # each followed by a valid event on its partition
            key = f"g{i}".encode()
            await producer.send(topic, record.body, key=key, headers=record.headers)
            valid = valid_event(i + 1, uuid4())
            await producer.send(topic, valid.body(), key=key,
                                headers=[(k, v.encode()) for k, v in valid.headers().items()])
        await producer.flush()
    finally:
        await producer.stop()
    await broker.start()
    try:
        async with asyncio.timeout(60):
            while len(applied) < len(records):
                await asyncio.sleep(0.05)
    finally:
        await broker.stop()

    assert sorted(applied) == list(range(1, len(records) + 1))
    dead = await kafka_messages(infra.kafka_bootstrap, f"{topic}.dlq", min_count=len(records))
    assert len(dead) == len(records), "each dead-lettered once"
    for record in dead:
        i = int(record.key.decode()[1:])
        headers = headers_dict(record)
        assert headers["hotline_dlq_reason"] == records[i].reason, (records[i], headers)
        assert headers["hotline_dlq_topic"] == topic and headers["hotline_dlq_error"]
        if records[i].reason == "oversized":  # its beginning, and how long it was
            assert records[i].body.startswith(record.value) and len(record.value) <= LIMIT // 4
            assert headers["hotline_dlq_value_bytes"] == str(len(records[i].body))
        else:
            assert record.value == records[i].body  # kept as it came
