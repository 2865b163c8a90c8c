"""Kafka plumbing: the FastStream broker every service uses, topics, dead letters.

The broker carries FastStream's OpenTelemetry middleware, so trace context travels
in message headers. Idempotence is a setting (on for real Kafka; the local tansu
broker refuses it) and correctness never depends on it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware

from hotline.contracts import topics
from hotline.settings import ServiceSettings

log = logging.getLogger(__name__)
_TOPIC_ALREADY_EXISTS = 36  # Kafka error code


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap,
        client_id=f"hotline-{settings.service_name}",
        enable_idempotence=settings.kafka_idempotence,
        acks="all",
        middlewares=[KafkaTelemetryMiddleware()],
        logger=logging.getLogger(f"hotline.{settings.schema}.kafka"),
    )


def all_topics() -> list[str]:
    """Every public topic and its dead-letter twin."""
    return [n for t in topics.ALL for n in (t, topics.dlq(t))]


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    """The relay's producer: acks from all replicas, small linger so a burst batches up."""
    return AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap,
        client_id=f"hotline-{settings.service_name}-relay",
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=5,
        max_batch_size=256 * 1024,
    )


async def ensure_topics(
    bootstrap: str,
    partitions: int | None = None,
    names: Iterable[str] | None = None,
    replication_factor: int = 1,
) -> list[str]:
    """Create the topics `names` (default: every Hotline topic and its DLQ) with `partitions`
    (default HOTLINE_TOPIC_PARTITIONS or 3). Existing topics are left alone. Returns the
    names that were created now."""
    if partitions is None:
        partitions = int(os.environ.get("HOTLINE_TOPIC_PARTITIONS", "3"))
    wanted = list(names) if names is not None else all_topics()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if not missing:
            return []
        try:
            response = await admin.create_topics(
                [NewTopic(t, partitions, replication_factor) for t in missing]
            )
        except TopicAlreadyExistsError:
            return []
        created = []
        for err in getattr(response, "topic_errors", []):
            topic, code = err[0], err[1]
            if code == 0:
                created.append(topic)
            elif code != _TOPIC_ALREADY_EXISTS:
                raise RuntimeError(f"creating topic {topic} failed: error {code} {err[2:]}")
        return created
    finally:
        await admin.close()


async def wait_for_broker(bootstrap: str, timeout: float = 30.0) -> None:
    """Block until the broker answers a metadata request."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
        try:
            await admin.start()
            await admin.list_topics()
            return
        except (KafkaError, OSError) as exc:
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"Kafka broker at {bootstrap} not reachable: {exc}") from exc
            await asyncio.sleep(0.5)
        finally:
            await admin.close()


async def dead_letter(
    broker: KafkaBroker,
    topic: str,
    *,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes]],
    error: str,
    partition: int,
    offset: int,
    consumer: str,
) -> None:
    """Publish a message that could not be read or applied to `<topic>.dlq`, with why."""
    dlq_headers = {k: v.decode(errors="replace") for k, v in headers}
    dlq_headers.update(
        {
            "hotline_dlq_error": error[:2000],
            "hotline_dlq_topic": topic,
            "hotline_dlq_partition": str(partition),
            "hotline_dlq_offset": str(offset),
            "hotline_dlq_consumer": consumer,
        }
    )
    await broker.publish(value or b"", topic=topics.dlq(topic), key=key, headers=dlq_headers)
    log.warning(
        "dead-lettered message",
        extra={"topic": topic, "partition": partition, "offset": offset, "error": error[:500]},
    )
