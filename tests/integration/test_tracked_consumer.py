"""Tracked consumption on a three-partition topic: a message delivered twice writes once,
positions interleaved across partitions are each applied, unreadable messages go to the
dead-letter topic with the reason, and a message that can be neither applied nor
dead-lettered is delivered again rather than acknowledged (alone and in a batch)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from uuid import uuid4

import pytest
from eventsourcing.utils import get_topic
from faststream.kafka import KafkaBroker

from harness import headers_dict, kafka_messages
from hotline import kafka
from hotline.consumer import subscribe_tracked, subscribe_tracked_batch
from hotline.contracts import TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import ensure_schema, postgres_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)


def opened(position: int) -> CloudEvent:
    ticket_id = uuid4()
    data = TicketOpened(
        ticket_id=ticket_id, ticket_number=f"T-{position:06d}", customer="Acme Corp",
        location="100 Main St, Springfield", issue="x", description="y", priority=3,
        channel="email", contact="noc@acme.example", received_at=NOW, off_hours=False,
    )
    return CloudEvent(id=f"{ticket_id}:1", source="/hotline/intake", type=data.ce_type,
                      time=NOW, subject=data.ticket_number, position=position, data=data)


async def publish(broker: KafkaBroker, topic: str, event: CloudEvent) -> None:
    await broker.publish(event.body(), topic=topic, key=str(event.data.ticket_id).encode(),
                         headers=event.headers())


async def test_redelivered_and_interleaved_messages_are_applied_exactly_once(infra, schema, topic):
    await asyncio.to_thread(ensure_schema, infra.database_url, schema)
    app = await asyncio.to_thread(NotifierApplication, env=postgres_env(infra.database_url, schema))
    applied: list[bool] = []

    async def apply(event: CloudEvent) -> None:
        applied.append(await asyncio.to_thread(app.take, event))

    broker = KafkaBroker(infra.kafka_bootstrap)
    subscribe_tracked(broker, topic=topic, group_id=f"g-{schema}", apply=apply)
    await broker.start()
    try:
        events = [opened(p) for p in range(1, 13)]
        for event in events:  # keys spread the positions over the three partitions
            await publish(broker, topic, event)
        for event in reversed(events):  # every message again, as after a lost offset commit
            await publish(broker, topic, event)
        await broker.publish(b"\xff not a cloud event", topic=topic, key=b"k",
                             headers={"ce_type": "garbage"})
        async with asyncio.timeout(30):
            while len(applied) < 24:
                await asyncio.sleep(0.05)
    finally:
        await broker.stop()

    assert applied.count(True) == 12 and applied.count(False) == 12
    requested = await asyncio.to_thread(app.recorder.select_notifications, 1, 1000,
                                        topics=[get_topic(Notification.Requested)])
    assert len(requested) == 12  # 12 confirmations, none twice
    dead = await kafka_messages(infra.kafka_bootstrap, f"{topic}.dlq", min_count=1)
    assert len(dead) == 1
    headers = headers_dict(dead[0])
    assert dead[0].value == b"\xff not a cloud event"
    assert "unreadable" in headers["hotline_dlq_error"]
    assert headers["hotline_dlq_topic"] == topic


async def test_a_message_that_keeps_failing_is_dead_lettered_and_the_partition_moves_on(infra, topic):
    seen: list[int] = []

    async def apply(event: CloudEvent) -> None:
        seen.append(event.position)
        if event.position == 1:
            raise RuntimeError("poison")

    broker = KafkaBroker(infra.kafka_bootstrap)
    subscribe_tracked(broker, topic=topic, group_id=f"g-{uuid4().hex[:6]}", apply=apply, attempts=2)
    await broker.start()
    try:
        poison, healthy = opened(1), opened(2)
        await broker.publish(poison.body(), topic=topic, key=b"same", headers=poison.headers())
        await broker.publish(healthy.body(), topic=topic, key=b"same", headers=healthy.headers())
        async with asyncio.timeout(30):
            while 2 not in seen:
                await asyncio.sleep(0.05)
    finally:
        await broker.stop()
    assert seen.count(1) == 2
    dead = await kafka_messages(infra.kafka_bootstrap, f"{topic}.dlq", min_count=1)
    assert "RuntimeError: poison" in headers_dict(dead[0])["hotline_dlq_error"]


class Outage:
    """Applying event 1 fails and so does every dead-letter publish, until `end()`: the
    message can be neither applied nor dead-lettered, so it must be delivered again."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.on = True
        self.dead_letter_attempts = 0
        self.applied: list[int] = []

        async def broken_dead_letter(*args, **kwargs) -> None:
            self.dead_letter_attempts += 1
            raise ConnectionError("dead-letter topic unreachable")

        monkeypatch.setattr(kafka, "dead_letter", broken_dead_letter)
        self._monkeypatch = monkeypatch

    def end(self) -> None:
        self.on = False
        self._monkeypatch.undo()

    async def apply(self, event: CloudEvent) -> None:
        if self.on and event.position == 1:
            raise RuntimeError("cannot apply now")
        self.applied.append(event.position)

    async def apply_batch(self, events: list[CloudEvent]) -> None:
        if self.on and any(e.position == 1 for e in events):
            raise RuntimeError("cannot apply now")
        self.applied.extend(e.position for e in events)


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
async def test_a_message_neither_applied_nor_dead_lettered_is_delivered_again(
        infra, topic, monkeypatch, batch):
    outage = Outage(monkeypatch)
    broker = KafkaBroker(infra.kafka_bootstrap)
    group = f"g-{uuid4().hex[:6]}"
    if batch:
        subscribe_tracked_batch(broker, topic=topic, group_id=group, apply_batch=outage.apply_batch,
                                apply=outage.apply, attempts=2)
    else:
        subscribe_tracked(broker, topic=topic, group_id=group, apply=outage.apply, attempts=2)
    await broker.start()
    try:
        for event in [opened(p) for p in (1, 2, 3)]:  # one key: one partition, in this order
            await broker.publish(event.body(), topic=topic, key=b"same", headers=event.headers())
        async with asyncio.timeout(30):
            while outage.dead_letter_attempts < 2:  # the second one came with a redelivery
                await asyncio.sleep(0.05)
        assert 1 not in outage.applied and 2 not in outage.applied, "nothing passes it"
        outage.end()
        async with asyncio.timeout(30):
            while 3 not in outage.applied:
                await asyncio.sleep(0.05)
    finally:
        await broker.stop()
    assert outage.applied == [1, 2, 3]
    assert await kafka_messages(infra.kafka_bootstrap, f"{topic}.dlq", timeout=2) == []
