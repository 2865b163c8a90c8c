"""The relay's Kafka records: built from stored events, measured, and sent as record batches.

`to_record` maps a domain event to (key, value, headers) through the service's
`to_cloud_event` (the key: the CloudEvent's own, else the aggregate id); the stored trace context joins the headers when it is valid as a header
(otherwise it is left out: a trace is not worth a blocked relay). `record_size` is what a
record weighs in a batch of its own before compression (key, value, headers, framing), which
the relay compares with HOTLINE_KAFKA_MAX_RECORD_BYTES. `send_batches` hands messages to the
producer as record batches built per partition (no future per message).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.record.default_records import DefaultRecordBatchBuilder

from hotline.contracts.envelope import CloudEvent, EnvelopeError, header_value
from hotline.partitioning import partition_for

Message = tuple[bytes, bytes, list[tuple[str, bytes]]]
"""(key, value, headers) of one Kafka record."""

ToCloudEvent = Callable[[Any, int], CloudEvent | None]
"""Maps a stored domain event and its log position to the CloudEvent to publish
(or None for events that stay private to the service)."""

TRACE_HEADER_CHARS = 1024  # W3C: traceparent 55, tracestate up to 512


def to_record(to_cloud_event: ToCloudEvent, domain_event: Any, position: int) -> Message | None:
    """The record for one stored event (None if it stays private); raises if it cannot be
    built, e.g. EnvelopeError for an attribute that may not travel as a header."""
    cloud_event = to_cloud_event(domain_event, position)
    if cloud_event is None:
        return None
    headers = cloud_event.headers()
    for name, value in (getattr(domain_event, "trace_context", None) or {}).items():
        try:
            headers.setdefault(name, header_value(name, value, TRACE_HEADER_CHARS))
        except EnvelopeError:
            pass
    key = cloud_event.key or str(domain_event.originator_id)
    return (key.encode(), cloud_event.body(),
            [(name, value.encode()) for name, value in headers.items()])


def record_size(message: Message) -> int:
    key, value, headers = message
    return DefaultRecordBatchBuilder.estimate_size_in_bytes(key, value, headers)


def partition_of(key: bytes, partitions: list[int]) -> int:
    """The partition (of the topic's `partitions`, sorted) a record with `key` goes to."""
    return partitions[partition_for(key, len(partitions))]


async def send_batches(producer: AIOKafkaProducer, topic: str, messages: list[Message]) -> None:
    """Send the messages as record batches, one run per partition, in log order, and wait for
    every acknowledgement. The partition is Kafka's default (murmur2 of the key, as the Java
    client and aiokafka compute it), so each aggregate's events stay in order on one partition.
    On failure it still waits for the batches already handed over, then raises the first error."""
    if not messages:
        return
    partitions = sorted(await producer.partitions_for(topic))
    open_batches: dict[int, Any] = {}
    sent: list[asyncio.Future] = []
    try:
        for key, value, headers in messages:
            partition = partition_of(key, partitions)
            builder = open_batches.get(partition)
            if builder is None or builder.append(key=key, value=value, timestamp=None, headers=headers) is None:
                if builder is not None:  # full: send it, start the next one
                    sent.append(await producer.send_batch(builder, topic, partition=partition))
                builder = open_batches[partition] = producer.create_batch()
                builder.append(key=key, value=value, timestamp=None, headers=headers)
        for partition, builder in open_batches.items():
            sent.append(await producer.send_batch(builder, topic, partition=partition))
    finally:
        # Every batch handed over is settled (stored or failed) before this returns or
        # raises, so that whoever reads the topic back next sees all that went out.
        if sent:
            await asyncio.wait(sent)  # unlike gather, a cancelled wait leaves them be
    for future in sent:
        if (error := future.exception()) is not None:
            raise error
