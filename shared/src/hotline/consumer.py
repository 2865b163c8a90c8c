"""Tracked Kafka consumers: read Hotline CloudEvents, apply them once, dead-letter the rest.

`subscribe_tracked` registers a FastStream subscriber in a consumer group. Each
message is parsed as a CloudEvent; one that cannot be parsed, or is larger than
`max_record_bytes`, goes straight to `<topic>.dlq` with its reason (`hotline_dlq_reason`:
one of `envelope.REASONS`, `oversized` or `apply-failed`). An infrastructure failure (the
database is down) is retried until it passes, since every message would fail alike; any other
failure is retried a few times and then dead-lettered, so a poison message never blocks its
partition.

`subscribe_tracked_batch` does the same for up to `max_records` messages at a time, with one
offset commit per batch: unreadable records are dead-lettered one by one, the readable ones go
to `apply_batch` together, in partition order. If the batch fails for any other reason than
the infrastructure, its events are applied one at a time as above, so a poison message is
dead-lettered alone and the others are still applied. A `traced` batch subscriber hands
`apply_batch` each event's trace context too (`trace_headers`: the `traceparent` and
`tracestate` the relay put on its record), since one batch carries many traces; an event
applied alone is applied inside its own. Exactly-once is the applier's business
either way (tracking rows written with its events); offsets only say where to fetch.

A message is acknowledged (its offset committed) only once it was applied or dead-lettered
(`hotline.settling`). When neither succeeded (the dead-letter publish failed too), the handler
raises `NotSettled` after a pause and FastStream's NACK_ON_ERROR policy rewinds the partition
to the message (aiokafka `seek`, nothing committed), so it is fetched and tried again before
anything after it. A batch rewinds each partition to its first record not yet settled.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from typing import Any

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from hotline.contracts.envelope import CloudEvent
from hotline.settings import DEFAULT_MAX_RECORD_BYTES
from hotline.settling import TRANSIENT, Apply, Settling
from hotline.telemetry import current_trace_context, use_trace_context

log = logging.getLogger(__name__)

ApplyBatch = Callable[[list[CloudEvent]], Awaitable[Any]]
ApplyTracedBatch = Callable[[list[CloudEvent], list[dict[str, str]]], Awaitable[Any]]
TRACE_HEADERS = ("traceparent", "tracestate")


def trace_headers(record: ConsumerRecord) -> dict[str, str]:
    """The W3C trace context a record carries in its headers (empty when it has none)."""
    return {name: value.decode(errors="replace") for name, value in record.headers or ()
            if name in TRACE_HEADERS and isinstance(value, bytes)}


def _raw_body(message: KafkaMessage) -> Any:
    return message.body


def _decodable(record: ConsumerRecord) -> ConsumerRecord:
    if all(isinstance(v, bytes) and v.isascii() for _, v in record.headers or ()):
        return record
    return dataclasses.replace(record, headers=[
        (k, (v or b"").decode(errors="replace").encode()) for k, v in record.headers])


async def _lenient_parser(raw: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream decodes every header as UTF-8 before our handler runs, and fails on what it
    cannot (a null value, bytes that are not UTF-8): the message would be redelivered forever.
    It parses copies with such headers replaced; the handler still sees the records as they
    came (DLQ)."""
    safe = tuple(map(_decodable, raw)) if isinstance(raw, tuple) else _decodable(raw)
    message = await original(safe)
    message.raw_message = raw
    return message


SUBSCRIPTIONS: list[tuple[str, str]] = []
"""(topic, group) of every subscription this process made: each one's lag is measured
(`hotline.lag.measure_subscriptions`, `hotline_consumer_lag_records`)."""


def _subscribe(broker: KafkaBroker, topic: str, group_id: str, handle: Callable[..., Awaitable[None]],
               **options: Any) -> None:
    if (topic, group_id) not in SUBSCRIPTIONS:
        SUBSCRIPTIONS.append((topic, group_id))
    broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,  # commit once settled; rewind (seek) on an exception
        parser=_lenient_parser,
        decoder=_raw_body,
        **options,
    )(handle)


def subscribe_tracked(
    broker: KafkaBroker,
    *,
    topic: str,
    group_id: str,
    apply: Apply,
    attempts: int = 3,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> None:
    settling = Settling(broker, topic, group_id, max_record_bytes, attempts)

    async def handle(body: bytes, message: KafkaMessage) -> None:
        record = message.raw_message
        event = await settling.read(record)
        if event is not None:
            await settling.apply_one(record, event, apply)

    _subscribe(broker, topic, group_id, handle)


def subscribe_tracked_batch(
    broker: KafkaBroker,
    *,
    topic: str,
    group_id: str,
    apply_batch: ApplyBatch | ApplyTracedBatch,
    apply: Apply | None = None,
    max_records: int = 500,
    attempts: int = 3,
    on_consumed: Callable[[list[ConsumerRecord]], None] | None = None,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    traced: bool = False,
) -> None:
    """`apply` is the one-event path used when a batch fails (default: a batch of one).
    `on_consumed(records)` hears of every batch once it is applied or dead-lettered (lag).
    `traced`: `apply_batch(events, trace_contexts)`, and `apply` runs in the event's trace."""
    settling = Settling(broker, topic, group_id, max_record_bytes, attempts)

    async def apply_single(event: CloudEvent) -> None:
        await (apply_batch([event], [current_trace_context()]) if traced  # type: ignore[call-arg]
               else apply_batch([event]))  # type: ignore[call-arg]

    one_by_one = apply or apply_single

    async def handle(body: Any, message: KafkaMessage) -> None:
        raw = message.raw_message
        # A batch subscriber gets a tuple of ConsumerRecords (per partition, in offset order).
        records = list(raw) if isinstance(raw, (tuple, list)) else [raw]
        settled: set[int] = set()  # indexes into records
        try:
            await _handle_batch(records, settled)
        except Exception:
            # The nack rewinds each partition to the earliest record it is given: give it only
            # those not settled, so that what settled before them is not done again.
            message.raw_message = tuple(r for i, r in enumerate(records) if i not in settled) or raw
            raise
        if on_consumed is not None:
            on_consumed(records)

    async def _handle_batch(records: list[ConsumerRecord], settled: set[int]) -> None:
        readable: list[tuple[int, CloudEvent]] = []
        for i, record in enumerate(records):
            event = await settling.read(record)
            if event is None:
                settled.add(i)
            else:
                readable.append((i, event))
        if not readable:
            return
        events = [event for _, event in readable]
        contexts = [trace_headers(records[i]) for i, _ in readable] if traced else []
        delay = 0.2
        while True:
            try:
                await (apply_batch(events, contexts) if traced  # type: ignore[call-arg]
                       else apply_batch(events))  # type: ignore[call-arg]
                settled.update(i for i, _ in readable)
                settling.failures = 0
                return
            except TRANSIENT as exc:
                log.warning("transient failure applying a batch of %d; retrying: %s", len(readable), exc)
            except Exception:
                log.exception("failed to apply a batch of %d; applying them one by one", len(readable))
                break
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
        for n, (i, event) in enumerate(readable):
            with use_trace_context(contexts[n]) if traced else nullcontext():
                await settling.apply_one(records[i], event, one_by_one)
            settled.add(i)

    _subscribe(broker, topic, group_id, handle, batch=True, max_records=max_records)
