"""Tracked Kafka consumers: read Hotline CloudEvents, apply them once, dead-letter the rest.

`subscribe_tracked` registers a FastStream subscriber in a consumer group. Each
message is parsed as a CloudEvent; one that cannot be parsed goes straight to
`<topic>.dlq`. An infrastructure failure (the database is down) is retried until
it passes, since every message would fail alike; any other failure is retried a
few times and then dead-lettered, so a poison message never blocks its partition.

`subscribe_tracked_batch` does the same for up to `max_records` messages at a time, with one
offset commit per batch: unreadable records are dead-lettered one by one, the readable ones go
to `apply_batch` together, in partition order. If the batch fails for any other reason than
the infrastructure, its events are applied one at a time as above, so a poison message is
dead-lettered alone and the others are still applied. Exactly-once is the applier's business
either way (tracking rows written with its events); offsets only say where to fetch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import psycopg
from aiokafka import ConsumerRecord
from eventsourcing.persistence import OperationalError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from hotline.contracts.envelope import CloudEvent, EnvelopeError, parse
from hotline.kafka import dead_letter

log = logging.getLogger(__name__)

Apply = Callable[[CloudEvent], Awaitable[None]]
ApplyBatch = Callable[[list[CloudEvent]], Awaitable[Any]]

TRANSIENT = (OperationalError, psycopg.OperationalError, ConnectionError)


def _raw_body(message: KafkaMessage) -> Any:
    return message.body


def _decodable(record: ConsumerRecord) -> ConsumerRecord:
    try:
        for _, value in record.headers or ():
            value.decode()
        return record
    except UnicodeDecodeError:
        return dataclasses.replace(record, headers=[
            (k, v.decode(errors="replace").encode()) for k, v in record.headers])


async def _lenient_parser(raw: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream decodes every header as UTF-8 before our handler runs, and drops what fails
    (a whole batch, for a batch subscriber) without dead-lettering it. It parses copies with
    undecodable headers replaced; the handler still sees the records as they came (DLQ)."""
    safe = tuple(map(_decodable, raw)) if isinstance(raw, tuple) else _decodable(raw)
    message = await original(safe)
    message.raw_message = raw
    return message


async def _to_dlq(broker: KafkaBroker, topic: str, group_id: str, record: ConsumerRecord, error: str) -> None:
    await dead_letter(
        broker, topic, key=record.key, value=record.value, headers=list(record.headers or ()),
        error=error, partition=record.partition, offset=record.offset, consumer=group_id,
    )


async def _parse_or_dead_letter(broker: KafkaBroker, topic: str, group_id: str,
                                record: ConsumerRecord) -> CloudEvent | None:
    try:
        return parse(dict(record.headers or ()), record.value or b"")
    except (EnvelopeError, UnicodeDecodeError) as exc:
        await _to_dlq(broker, topic, group_id, record, f"unreadable: {exc}")
        return None


async def _apply_one(broker: KafkaBroker, topic: str, group_id: str, record: ConsumerRecord,
                     event: CloudEvent, apply: Apply, attempts: int) -> None:
    """Apply one event: transient failures retried until they pass, others `attempts` times."""
    failures = 0
    delay = 0.2
    while True:
        try:
            await apply(event)
            return
        except TRANSIENT as exc:
            log.warning("transient failure applying %s; retrying: %s", event.id, exc)
        except Exception as exc:
            failures += 1
            log.exception("failed to apply %s (attempt %d)", event.id, failures)
            if failures >= attempts:
                await _to_dlq(broker, topic, group_id, record, f"{type(exc).__name__}: {exc}")
                return
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)


def subscribe_tracked(
    broker: KafkaBroker,
    *,
    topic: str,
    group_id: str,
    apply: Apply,
    attempts: int = 3,
) -> None:
    async def handle(body: bytes, message: KafkaMessage) -> None:
        record = message.raw_message
        event = await _parse_or_dead_letter(broker, topic, group_id, record)
        if event is not None:
            await _apply_one(broker, topic, group_id, record, event, apply, attempts)

    broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        parser=_lenient_parser,
        decoder=_raw_body,
    )(handle)


def subscribe_tracked_batch(
    broker: KafkaBroker,
    *,
    topic: str,
    group_id: str,
    apply_batch: ApplyBatch,
    apply: Apply | None = None,
    max_records: int = 500,
    attempts: int = 3,
    on_consumed: Callable[[list[ConsumerRecord]], None] | None = None,
) -> None:
    """`apply` is the one-event path used when a batch fails (default: a batch of one).
    `on_consumed(records)` hears of every batch once it is applied or dead-lettered (lag)."""

    async def apply_single(event: CloudEvent) -> None:
        await apply_batch([event])

    one_by_one = apply or apply_single

    async def handle(body: Any, message: KafkaMessage) -> None:
        raw = message.raw_message
        # A batch subscriber gets a tuple of ConsumerRecords (per partition, in offset order).
        records = list(raw) if isinstance(raw, (tuple, list)) else [raw]
        await _handle_batch(records)
        if on_consumed is not None:
            on_consumed(records)

    async def _handle_batch(records: list[ConsumerRecord]) -> None:
        readable: list[tuple[ConsumerRecord, CloudEvent]] = []
        for record in records:
            event = await _parse_or_dead_letter(broker, topic, group_id, record)
            if event is not None:
                readable.append((record, event))
        if not readable:
            return
        delay = 0.2
        while True:
            try:
                await apply_batch([event for _, event in readable])
                return
            except TRANSIENT as exc:
                log.warning("transient failure applying a batch of %d; retrying: %s", len(readable), exc)
            except Exception:
                log.exception("failed to apply a batch of %d; applying them one by one", len(readable))
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        for record, event in readable:
            await _apply_one(broker, topic, group_id, record, event, one_by_one, attempts)

    broker.subscriber(
        topic,
        group_id=group_id,
        batch=True,
        max_records=max_records,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        parser=_lenient_parser,
        decoder=_raw_body,
    )(handle)
