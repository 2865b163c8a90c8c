"""`ConsumerLag` against the real broker: a group that has not read a topic is behind, one that
has applied every record is not, the listener hears it catch up, and the committed offsets
alone (another instance's view) say the same."""

from __future__ import annotations

import asyncio
import contextlib
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker

from hotline.consumer import subscribe_tracked_batch
from hotline.lag import ConsumerLag

pytestmark = pytest.mark.integration


async def produce(bootstrap: str, topic: str, count: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for i in range(count):
            await producer.send_and_wait(topic, b"not a cloud event", key=str(i).encode())
    finally:
        await producer.stop()


async def measured(lag: ConsumerLag, predicate, timeout: float = 30.0) -> None:
    async with asyncio.timeout(timeout):
        while lag.measured_at is None or not predicate(lag):
            await asyncio.sleep(0.1)


async def test_a_group_is_behind_until_it_has_applied_every_record(infra, topic):
    group = f"g-{uuid4().hex[:8]}"
    await produce(infra.kafka_bootstrap, topic, 30)
    lag = ConsumerLag(infra.kafka_bootstrap, topic, group, interval=0.2)
    caught_up = asyncio.Event()
    lag.on_caught_up(caught_up.set)
    watcher = asyncio.create_task(lag.run())
    broker = KafkaBroker(infra.kafka_bootstrap)
    applied: list[int] = []

    async def apply_batch(events) -> None:
        applied.extend(e.position for e in events)

    # Every record is unreadable, so it is dead-lettered; consumed all the same.
    subscribe_tracked_batch(broker, topic=topic, group_id=group, apply_batch=apply_batch,
                            on_consumed=lag.consumed)
    try:
        await measured(lag, lambda lag: lag.lag is not None)
        assert lag.behind() and lag.lag > 0
        assert lag.snapshot()["behind_seconds"] is not None
        await broker.start()
        await asyncio.wait_for(caught_up.wait(), 60)
        assert lag.lag == 0 and not lag.behind() and lag.snapshot()["behind_seconds"] is None
    finally:
        await broker.stop()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    # Another process sees the same from the group's committed offsets alone.
    other = ConsumerLag(infra.kafka_bootstrap, topic, group, interval=0.2)
    task = asyncio.create_task(other.run())
    try:
        await measured(other, lambda lag: lag.lag is not None)
        assert other.lag == 0
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_an_unreachable_broker_leaves_the_lag_unknown_and_counts_as_behind():
    lag = ConsumerLag("127.0.0.1:1", "hotline.tickets.v1", "nobody", interval=0.1)
    assert lag.lag is None and lag.behind()
    task = asyncio.create_task(lag.run())
    await asyncio.sleep(1.0)
    task.cancel()
    with contextlib.suppress(BaseException):
        await task
    assert lag.lag is None and lag.behind()
