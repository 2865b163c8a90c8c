"""Kafka plumbing: the FastStream broker every service uses, topics, dead letters.

The broker carries FastStream's OpenTelemetry middleware, so trace context travels
in message headers. Idempotence is a setting (on by default; `hotline run` and the tests turn
it off for the local tansu broker, which refuses it) and correctness never depends on it; acks
are always `all`. Every Kafka client Hotline creates (FastStream broker, producers, consumers,
admin clients) gets its TLS and SASL options from `security_options` (the HOTLINE_KAFKA_*
settings). The relay's producer compresses its batches with gzip (in aiokafka without native
extras; tansu 0.6 stores and serves them): a batch of typical ticket events shrinks about
tenfold, mostly the repeated CloudEvent headers.
`refused` tells a broker's final answer about a record from trouble worth retrying.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    BrokerResponseError,
    CorruptRecordException,
    KafkaError,
    TopicAlreadyExistsError,
)
from aiokafka.helpers import create_ssl_context
from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.security import (
    BaseSecurity,
    SASLPlaintext,
    SASLScram256,
    SASLScram512,
)

from hotline.contracts import topics
from hotline.contracts.envelope import printable
from hotline.settings import DEFAULT_MAX_RECORD_BYTES, HotlineSettings, ServiceSettings

log = logging.getLogger(__name__)
_TOPIC_ALREADY_EXISTS = 36  # Kafka error code
COMPRESSION = "gzip"
DLQ_VALUE_PREFIX = 64 * 1024  # what an over-long dead letter keeps of its value (and key)


def security_options(settings: HotlineSettings | None = None) -> dict[str, Any]:
    """The connection options every aiokafka client (producer, consumer, admin) gets besides
    `bootstrap_servers`: `security_protocol`, an SSL context for SSL/SASL_SSL (CA from
    HOTLINE_KAFKA_SSL_CAFILE, else the system's), and the SASL mechanism and credentials.
    `settings`: default, the HOTLINE_* environment (HotlineSettings validates combinations)."""
    s = settings if settings is not None else HotlineSettings()
    protocol = s.kafka_security_protocol
    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(cafile=s.kafka_ssl_cafile)
    if protocol.startswith("SASL_"):
        options["sasl_mechanism"] = s.kafka_sasl_mechanism
        options["sasl_plain_username"] = s.kafka_sasl_username
        options["sasl_plain_password"] = (
            s.kafka_sasl_password.get_secret_value() if s.kafka_sasl_password else None)
    return options


def client_options(settings: HotlineSettings | None = None,
                   bootstrap: str | None = None) -> dict[str, Any]:
    """`bootstrap_servers` (`bootstrap`, else HOTLINE_KAFKA_BOOTSTRAP) and `security_options`:
    the keyword arguments for any AIOKafkaProducer, AIOKafkaConsumer or AIOKafkaAdminClient."""
    s = settings if settings is not None else HotlineSettings()
    return {"bootstrap_servers": bootstrap or s.kafka_bootstrap, **security_options(s)}


def broker_security(settings: HotlineSettings | None = None) -> BaseSecurity | None:
    """`security_options` as FastStream's KafkaBroker takes them (its `security` object)."""
    options = security_options(settings)
    protocol, context = options["security_protocol"], options.get("ssl_context")
    if protocol == "PLAINTEXT":
        return None
    if protocol == "SSL":
        return BaseSecurity(ssl_context=context, use_ssl=True)
    sasl = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256,
            "SCRAM-SHA-512": SASLScram512}[options["sasl_mechanism"]]
    return sasl(username=options["sasl_plain_username"],
                password=options["sasl_plain_password"],
                ssl_context=context, use_ssl=protocol == "SASL_SSL")


def make_broker(settings: ServiceSettings) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap,
        security=broker_security(settings),
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
    """The relay's producer: acks from all replicas, small linger so a burst batches up, gzip.
    A record batch is at most 256 KiB before compression, or one record alone (at most
    HOTLINE_KAFKA_MAX_RECORD_BYTES, which the relay checks): either stays under Kafka's
    default 1 MiB `message.max.bytes`. Without the idempotent producer, a batch the broker may
    have stored is never sent again by aiokafka itself (`hotline.single_send`): the relay reads
    the topic back and sends what is missing."""
    producer = AIOKafkaProducer(
        **client_options(settings),
        client_id=f"hotline-{settings.service_name}-relay",
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=5,
        max_batch_size=256 * 1024,
        compression_type=COMPRESSION,
    )
    if settings.kafka_idempotence:
        return producer
    from hotline.single_send import single_send

    return single_send(producer)


def refused(exc: BaseException) -> bool:
    """The broker answered and will answer the same again (record too large, invalid, not
    allowed): retrying cannot help. Unreachable brokers, timeouts and leader changes are not
    refusals; aiokafka marks those retriable or raises client-side errors for them. A corrupt
    record (a CRC mismatch on the way) is retriable, as in Kafka's own clients."""
    return (isinstance(exc, BrokerResponseError) and not exc.retriable
            and not isinstance(exc, CorruptRecordException))


async def ensure_topics(
    bootstrap: str,
    partitions: int | None = None,
    names: Iterable[str] | None = None,
    replication_factor: int = 1,
    *,
    settings: HotlineSettings | None = None,
) -> list[str]:
    """Create the topics `names` (default: every Hotline topic and its DLQ) with `partitions`
    (default HOTLINE_TOPIC_PARTITIONS or 3). Existing topics are left alone. Returns the
    names that were created now. Security options: `settings`, else the environment's."""
    if partitions is None:
        partitions = int(os.environ.get("HOTLINE_TOPIC_PARTITIONS", "3"))
    wanted = list(names) if names is not None else all_topics()
    admin = AIOKafkaAdminClient(**client_options(settings, bootstrap), request_timeout_ms=10000)
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


async def wait_for_broker(bootstrap: str, timeout: float = 30.0, *,
                          settings: HotlineSettings | None = None) -> None:
    """Block until the broker answers a metadata request."""
    deadline = asyncio.get_running_loop().time() + timeout
    options = client_options(settings, bootstrap)
    while True:
        admin = AIOKafkaAdminClient(**options, request_timeout_ms=2000)
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
    headers: list[tuple[str, bytes | None]],
    error: str,
    reason: str,
    partition: int,
    offset: int,
    consumer: str,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
) -> None:
    """Publish a message that could not be read or applied to `<topic>.dlq`, with why:
    `hotline_dlq_reason` (a short code) and `hotline_dlq_error` (the sentence). A message too
    large to go there whole keeps the first 64 KiB (at most a quarter of `max_record_bytes`) of
    its key and value and 256 characters of its first 64 headers (`hotline_dlq_value_bytes`
    says how long the value was), so that dead-lettering never fails for what it carries."""
    value = value or b""
    original = [(k, (v or b"").decode(errors="replace")) for k, v in headers]
    dlq_headers = {
        "hotline_dlq_reason": reason,
        "hotline_dlq_error": printable(error, 2000),
        "hotline_dlq_topic": topic,
        "hotline_dlq_partition": str(partition),
        "hotline_dlq_offset": str(offset),
        "hotline_dlq_consumer": consumer,
    }
    size = len(key or b"") + len(value) + sum(len(k) + len(v) for k, v in original)
    if size > max_record_bytes - 16 * 1024:  # room for the dlq headers and batch framing
        keep = min(DLQ_VALUE_PREFIX, max_record_bytes // 4)
        dlq_headers["hotline_dlq_value_bytes"] = str(len(value))
        key, value = key and key[:keep], value[:keep]
        original = [(k[:256], v[:256]) for k, v in original[:64]]
    await broker.publish(value, topic=topics.dlq(topic), key=key,
                         headers={**dict(original), **dlq_headers})
    _dead_letters().add(1, {"topic": topic, "reason": reason, "consumer": consumer})
    log.warning(
        "dead-lettered message",
        extra={"topic": topic, "partition": partition, "offset": offset, "reason": reason,
               "error": error[:500]},
    )


_DEAD_LETTERS: list[Any] = []


def _dead_letters() -> Any:
    """`hotline_dead_letters_total` at /metrics: records this process dead-lettered, by source
    topic, reason and consumer (DLQ growth)."""
    if not _DEAD_LETTERS:
        from hotline.telemetry import meter

        _DEAD_LETTERS.append(meter("hotline.kafka").create_counter(
            "hotline_dead_letters", unit="{record}",
            description="Records dead-lettered to <topic>.dlq since start, by topic and reason"))
    return _DEAD_LETTERS[0]
