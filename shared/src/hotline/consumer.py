"""Tracked Kafka consumers: read Hotline CloudEvents, apply them once, dead-letter the rest.

`subscribe_tracked` registers a FastStream subscriber in a consumer group. Each
message is parsed as a CloudEvent; one that cannot be parsed goes straight to
`<topic>.dlq`. An infrastructure failure (the database is down) is retried until
it passes, since every message would fail alike; any other failure is retried a
few times and then dead-lettered, so a poison message never blocks its partition.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import psycopg
from eventsourcing.persistence import OperationalError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from hotline.contracts.envelope import CloudEvent, EnvelopeError, parse
from hotline.kafka import dead_letter

log = logging.getLogger(__name__)

Apply = Callable[[CloudEvent], Awaitable[None]]

TRANSIENT = (OperationalError, psycopg.OperationalError, ConnectionError)


def _raw_body(message: KafkaMessage) -> bytes:
    return message.body


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
        headers = list(record.headers or ())

        async def to_dlq(error: str) -> None:
            await dead_letter(
                broker, topic, key=record.key, value=record.value, headers=headers,
                error=error, partition=record.partition, offset=record.offset, consumer=group_id,
            )

        try:
            event = parse(dict(headers), record.value or b"")
        except EnvelopeError as exc:
            await to_dlq(f"unreadable: {exc}")
            return
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
                    await to_dlq(f"{type(exc).__name__}: {exc}")
                    return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    broker.subscriber(
        topic,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.ACK,
        decoder=_raw_body,
    )(handle)
