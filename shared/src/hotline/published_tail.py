"""What a topic's tail already holds: the relay's read-back before it sends while unsure.

The relay records its log position only after the broker acknowledged a batch. Killed between
the two (SIGKILL, a lost pod), or after a send that failed partway (batches go per partition:
some may be stored, the rest not), it cannot tell from its position what the broker has, and
sending the batch again would put the same `ce_id` on the topic twice. So before it sends while
unsure (at start, and before a retry after a failed send) it reads back the last `count`
records of every partition of its topic and skips what is there already.

`TailReader` reads them through a fresh consumer of its own (no group, nothing committed; the
same bootstrap and security options as every Hotline client, `hotline.kafka.client_options`):
it seeks each partition to `count` before its end and fetches until a fetch brings nothing
more. It does not stop at the end offsets it was told: tansu under-reports a partition's high
watermark after a produce request that carried several batches, while fetching returns every
record. (`hotline.relay_records.send_batches` waits for every batch it handed over to settle,
even when it fails, so nothing of a failed send is still on its way when the read-back starts.)
The answer, `Tail`, holds the `hotline_position` of each record per (partition,
`ce_source`): a record is published if its position is there on the partition its key goes to.
Exact positions rather than the highest one: a send that failed for one batch of a partition and
not for a later one leaves a gap, and a gap must be sent, not skipped.

`count` is the relay's batch size: what it may have sent without recording is at most one batch
(the topic's only writer of its source, besides deliberate republishing). Anything that goes
wrong (broker unreachable, no metadata for the topic, timeout) raises: the relay then treats the
attempt as failed and tries again later; it never sends unsure without a read-back.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from hotline.contracts.envelope import POSITION_HEADER
from hotline.relay_records import partition_of

SOURCE_HEADER = "ce_source"
IDLE_MS = 500  # a fetch this long that brings nothing more: the end of the partitions

__all__ = ["Tail", "TailReader", "ReadTail", "SOURCE_HEADER"]


@dataclass
class Tail:
    """The `hotline_position`s found at the end of a topic, per (partition, ce_source)."""

    positions: dict[tuple[int, str], set[int]] = field(default_factory=dict)

    def add(self, partition: int, source: str, position: int) -> None:
        self.positions.setdefault((partition, source), set()).add(position)

    def has(self, partition: int, source: str, position: int) -> bool:
        return position in self.positions.get((partition, source), ())

    def holds(self, message: Any, partitions: list[int]) -> bool:
        """Whether this relay record (key, value, headers) is on the partition its key goes to
        (of the topic's sorted `partitions`); a record without source and position never is."""
        key, _, headers = message
        found = record_position(headers)
        return found is not None and self.has(partition_of(key, partitions), *found)

    def highest(self) -> int:
        """The highest position found (0: none): past it, the tail knows of nothing."""
        return max((max(found) for found in self.positions.values() if found), default=0)

    def __len__(self) -> int:
        return sum(len(found) for found in self.positions.values())


ReadTail = Callable[[str, int], Awaitable[Tail]]
"""(topic, count) -> the positions among the last `count` records of each of its partitions."""


def record_position(headers: Any) -> tuple[str, int] | None:
    """(ce_source, hotline_position) of a record's headers, None if it has not both."""
    found: dict[str, bytes] = {}
    for name, value in headers or ():
        if name in (SOURCE_HEADER, POSITION_HEADER) and value is not None:
            found[name] = value
    try:
        return found[SOURCE_HEADER].decode(), int(found[POSITION_HEADER])
    except (KeyError, ValueError, UnicodeDecodeError):
        return None


class TailReader:
    """Reads a topic's tail with a consumer made from `options` (AIOKafkaConsumer keyword
    arguments: bootstrap servers and security) for each read; `timeout`: the whole read."""

    def __init__(self, options: dict[str, Any], *, client_id: str = "hotline-relay-tail",
                 timeout: float = 30.0) -> None:
        self._options = options
        self._client_id = client_id
        self._timeout = timeout

    async def __call__(self, topic: str, count: int) -> Tail:
        consumer = AIOKafkaConsumer(
            **self._options, client_id=self._client_id, group_id=None,
            enable_auto_commit=False, auto_offset_reset="earliest",
            fetch_max_wait_ms=100, request_timeout_ms=10000,
        )
        async with asyncio.timeout(self._timeout):
            await consumer.start()
            try:
                return await self._read(consumer, topic, max(count, 1))
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    async def _read(self, consumer: AIOKafkaConsumer, topic: str, count: int) -> Tail:
        await consumer.topics()  # metadata refresh
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise LookupError(f"no partitions known for topic {topic!r}")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        begins = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            consumer.seek(tp, max(begins[tp], ends[tp] - count))
        tail = Tail()
        while True:
            batch = await consumer.getmany(*tps, timeout_ms=IDLE_MS)
            for tp, records in batch.items():
                for record in records:
                    if (found := record_position(record.headers)) is not None:
                        tail.add(tp.partition, *found)
            reached = [await consumer.position(tp) >= ends[tp] for tp in tps]
            if all(reached) and not any(batch.values()):
                return tail
