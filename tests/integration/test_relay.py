"""The relay against the real PostgreSQL and broker: each event published once per
position, in per-key order, resuming from the recorded position after a restart, in gzip
batches; a record over HOTLINE_KAFKA_MAX_RECORD_BYTES, or one the broker refuses, stops it at
that position (everything before it published), which readiness and a metric report."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, MessageSizeTooLargeError

from harness import headers_dict, kafka_messages
from hotline.calendar import SupportCalendar
from hotline.clock import SystemClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import ensure_schema, postgres_env
from hotline.follower import LogPositions
from hotline.kafka import client_options, make_producer
from hotline.published_tail import Tail, TailReader
from hotline.relay import Relay
from hotline.settings import ServiceSettings
from hotline.telemetry import metrics_text
from hotline.wiring import Wiring
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


async def run_relay_until(relay: Relay, position: int | None, timeout: float = 20.0,
                          then: float = 0.0) -> None:
    """Run the relay until it reached `position` (None: until it is blocked), `then` seconds
    more, and stop it; it must not have failed meanwhile."""
    task = asyncio.create_task(relay.run())
    try:
        async with asyncio.timeout(timeout):
            while relay.position < position if position is not None else relay.status.blocked is None:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)
        await asyncio.sleep(then)
        assert not task.done(), "it holds its lock and waits; it does not crash or spin"
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@contextlib.asynccontextmanager
async def relaying(infra, schema: str, pool, tickets: int
                   ) -> AsyncIterator[tuple[IntakeApplication, LogPositions, AIOKafkaProducer]]:
    """intake with `tickets` opened, its log positions and the relay's (started) producer."""
    app = await asyncio.to_thread(intake_app, infra.database_url, schema)
    await asyncio.to_thread(open_tickets, app, tickets)
    positions = LogPositions(pool, schema)
    await positions.setup()
    producer = make_producer(ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap))
    await producer.start()
    try:
        yield app, positions, producer
    finally:
        await producer.stop()


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


def inflated(at: set[int], marker: str = "x") -> Callable[[Any, int], CloudEvent | None]:
    """intake's mapping, but the events at positions `at` carry a 1 MB description: records
    over the default HOTLINE_KAFKA_MAX_RECORD_BYTES (900 KiB)."""
    def mapped(domain_event: Any, position: int) -> CloudEvent | None:
        event = to_cloud_event(domain_event, position)
        if event is not None and position in at:
            event = replace(event, data=event.data.model_copy(update={"description": marker * 1_000_000}))
        return event
    return mapped


async def test_an_event_over_the_record_limit_stops_the_relay_there_and_says_so(infra, schema, topic, pool):
    """Before: the relay published it whatever its size, and a broker with a record limit
    refused it forever while readiness stayed green."""
    async with relaying(infra, schema, pool, 6) as (app, positions, producer):
        relay = Relay(name="r", app=app, producer=producer, topic=topic, positions=positions,
                      to_cloud_event=inflated({BASE + 4}))
        await run_relay_until(relay, None, then=1.0)
    assert relay.status.blocked[0] == BASE + 4
    assert relay.status.describe().startswith(f"blocked at position {BASE + 4}: record of ")
    assert "over HOTLINE_KAFKA_MAX_RECORD_BYTES (921600)" in relay.status.describe()
    assert await positions.load("r") == BASE + 3  # everything before it went out and is recorded
    records = await kafka_messages(infra.kafka_bootstrap, topic, min_count=3)
    published = sorted(int(headers_dict(r)["hotline_position"]) for r in records)
    assert published == [BASE + 1, BASE + 2, BASE + 3]


class RefusingProducer:
    """The relay's producer, but the broker refuses any batch holding a record with `marker`
    (as Kafka does with MessageSizeTooLarge for a record over its `message.max.bytes`)."""

    def __init__(self, producer: AIOKafkaProducer, marker: bytes) -> None:
        self._producer, self._marker = producer, marker
        self.refusals = 0

    async def partitions_for(self, topic: str) -> set[int]:
        return await self._producer.partitions_for(topic)

    def create_batch(self) -> Any:
        builder, values = self._producer.create_batch(), []
        append = builder.append

        def appended(**record: Any) -> Any:
            if (metadata := append(**record)) is not None:
                values.append(record["value"])
            return metadata

        builder.append, builder.values = appended, values
        return builder

    async def send_batch(self, builder: Any, topic: str, *, partition: int) -> asyncio.Future:
        if any(self._marker in value for value in builder.values):
            self.refusals += 1
            refused = asyncio.get_running_loop().create_future()
            refused.set_exception(MessageSizeTooLargeError())
            return refused
        return await self._producer.send_batch(builder, topic, partition=partition)


async def test_a_record_the_broker_refuses_is_a_hard_stop_not_a_silent_retry(infra, schema, topic, pool):
    async with relaying(infra, schema, pool, 6) as (app, positions, producer):
        refusing = RefusingProducer(producer, b"REFUSED" * 10)
        relay = Relay(name="r", app=app, producer=refusing, topic=topic,  # type: ignore[arg-type]
                      positions=positions, to_cloud_event=inflated({BASE + 4}, "REFUSED"),
                      max_record_bytes=10_000_000)
        await run_relay_until(relay, None, then=1.0)
    assert refusing.refusals == 2  # the batch, then the record alone; no retry after that
    assert relay.status.blocked == (BASE + 4, "refused by the broker: MessageSizeTooLargeError: "
                                              f"{MessageSizeTooLargeError()}")
    assert await positions.load("r") == BASE + 3
    records = await kafka_messages(infra.kafka_bootstrap, topic, min_count=3)
    published = {int(headers_dict(r)["hotline_position"]) for r in records}
    assert {BASE + 1, BASE + 2, BASE + 3} <= published and BASE + 4 not in published


async def test_a_blocked_relay_makes_the_service_unready_with_a_metric(infra, schema, topic):
    """Through the composition root: `/readyz` gets a false `relay` check and the text
    `relay: blocked at position N: reason`; `/metrics` has `hotline_relay_blocked` 1."""
    app = await asyncio.to_thread(intake_app, infra.database_url, schema)
    await asyncio.to_thread(open_tickets, app, 2)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    settings = ServiceSettings(service_name=schema, database_url=infra.database_url,
                               kafka_bootstrap=infra.kafka_bootstrap, kafka_max_record_bytes=100_000)
    wired = await asyncio.to_thread(Wiring, settings)
    root.handlers[:], root.level = handlers, level  # Wiring set up JSON logs for a service
    await wired.start()
    task = asyncio.create_task(wired.relay_task(app, topic, inflated({BASE + 2}))())
    try:
        assert await wired.relays_ready()
        async with asyncio.timeout(20):
            while await wired.relays_ready():
                await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await wired.stop()
    assert wired.relay_info().startswith(f"blocked at position {BASE + 2}: record of ")
    assert "over HOTLINE_KAFKA_MAX_RECORD_BYTES (100000)" in wired.relay_info()
    gauge = rf'hotline_relay_blocked{{[^}}]*relay="{schema}->{topic}"[^}}]*}} 1.0'
    assert re.search(gauge, metrics_text().decode())


def tail_reader(infra) -> TailReader:
    return TailReader(client_options(bootstrap=infra.kafka_bootstrap))


def assert_each_once(records: list[Any], positions: range) -> None:
    headers = [headers_dict(r) for r in records]
    assert Counter(h["ce_id"] for h in headers).most_common(1)[0][1] == 1, "no ce_id twice"
    assert sorted(int(h["hotline_position"]) for h in headers) == list(positions)


async def test_a_relay_killed_after_the_broker_stored_a_batch_does_not_send_it_again(
        infra, schema, topic, pool):
    """Sent and acknowledged, but the position never recorded (SIGKILL in between): the next
    relay reads the topic's tail back, skips what is there, sends the rest, and records the
    position past all of it."""
    async with relaying(infra, schema, pool, 5) as (app, positions, producer):
        first = Relay(name="r", app=app, producer=producer, topic=topic,
                      to_cloud_event=to_cloud_event, positions=positions, tail_reader=tail_reader(infra))
        await run_relay_until(first, BASE + 5)
        assert first.published == 5
        await positions.save("r", BASE)  # as if killed before recording it
        await asyncio.to_thread(open_tickets, app, 3)
        second = Relay(name="r", app=app, producer=producer, topic=topic,
                       to_cloud_event=to_cloud_event, positions=positions, tail_reader=tail_reader(infra))
        await run_relay_until(second, BASE + 8, then=0.5)
        assert second.published == 3  # only the new ones
        assert await positions.load("r") == BASE + 8
    assert_each_once(await kafka_messages(infra.kafka_bootstrap, topic, min_count=8),
                     range(BASE + 1, BASE + 9))


class FailingPartway:
    """The relay's producer, but one send of a batch (`fail_at`, counting from 0) fails once, after
    the batches before it were handed over (some partitions stored, the rest not)."""

    def __init__(self, producer: AIOKafkaProducer, fail_at: int = 1) -> None:
        self._producer, self._fail_at = producer, fail_at
        self.sends = 0
        self.failed = False

    async def partitions_for(self, topic: str) -> set[int]:
        return await self._producer.partitions_for(topic)

    def create_batch(self) -> Any:
        return self._producer.create_batch()

    async def send_batch(self, builder: Any, topic: str, *, partition: int) -> asyncio.Future:
        self.sends += 1
        if not self.failed and self.sends == self._fail_at + 1:
            self.failed = True
            raise KafkaConnectionError("connection lost halfway through the batch")
        return await self._producer.send_batch(builder, topic, partition=partition)


async def test_a_send_that_failed_partway_is_retried_without_sending_anything_twice(
        infra, schema, topic, pool):
    async with relaying(infra, schema, pool, 12) as (app, positions, producer):
        failing = FailingPartway(producer)
        relay = Relay(name="r", app=app, producer=failing, topic=topic,  # type: ignore[arg-type]
                      to_cloud_event=to_cloud_event, positions=positions, tail_reader=tail_reader(infra))
        await run_relay_until(relay, BASE + 12, then=0.5)
        assert failing.failed
        assert 0 < relay.published < 12, "what the first partition's batch carried was skipped"
        assert await positions.load("r") == BASE + 12
    assert_each_once(await kafka_messages(infra.kafka_bootstrap, topic, min_count=12),
                     range(BASE + 1, BASE + 13))


async def test_without_a_read_back_it_does_not_send_it_retries_later(infra, schema, topic, pool):
    """The broker cannot be read (yet): nothing goes out unsure; the read-back is tried again."""
    reader, calls = tail_reader(infra), []

    async def flaky(topic_name: str, count: int) -> Tail:
        calls.append(count)
        if len(calls) == 1:
            raise KafkaConnectionError("broker unreachable")
        return await reader(topic_name, count)

    async with relaying(infra, schema, pool, 4) as (app, positions, producer):
        relay = Relay(name="r", app=app, producer=producer, topic=topic, batch_size=50,
                      to_cloud_event=to_cloud_event, positions=positions, tail_reader=flaky)
        await run_relay_until(relay, BASE + 4, then=0.3)
        await asyncio.to_thread(open_tickets, app, 2)
        await run_relay_until(relay, BASE + 6)  # restarted: it reads back once more
    assert calls == [50, 50, 50], "once failed, once before the first send, once at the restart"
    assert_each_once(await kafka_messages(infra.kafka_bootstrap, topic, min_count=6),
                     range(BASE + 1, BASE + 7))


async def test_a_relay_of_some_classes_publishes_only_those_and_passes_over_the_rest(infra, schema, topic, pool):
    """The reviews relay's way (`publishes`): ticket events are passed over, undecoded, and the
    position still reaches the head, so nothing waits behind them."""
    from hotline_intake.domain.ticket import Ticket
    from hotline_intake.review_publication import PUBLISHED, to_cloud_event as review_event

    async with relaying(infra, schema, pool, 4) as (app, positions, producer):
        reviews = Relay(name="reviews", app=app, producer=producer, topic=topic,
                        to_cloud_event=review_event, positions=positions, publishes=PUBLISHED)
        await run_relay_until(reviews, BASE + 4)
        assert reviews.published == 0 and await positions.load("reviews") == BASE + 4
        tickets = Relay(name="tickets", app=app, producer=producer, topic=topic,
                        to_cloud_event=to_cloud_event, positions=positions, publishes=(Ticket.Opened,))
        await run_relay_until(tickets, BASE + 4)
        assert tickets.published == 4
    records = await kafka_messages(infra.kafka_bootstrap, topic, min_count=4)
    assert sorted(int(headers_dict(r)["hotline_position"]) for r in records) == \
        list(range(BASE + 1, BASE + 5))
