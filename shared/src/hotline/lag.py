"""How far a consumer group is behind the end of a topic, measured from end offsets.

`ConsumerLag.run()` asks the broker every `interval` seconds for the topic's end offsets and
the group's committed offsets; the subscriber reports what it has applied (`consumed`), so
progress shows before the next commit. `lag` is the number of records not yet applied (None
until the first measurement, or while the broker does not answer), `behind()` says whether
anything is outstanding. Listeners are called when the group catches up.

On tansu 0.6.0 a partition's end offset is under-reported (its last batch's base offset + 1,
see ARCHITECTURE.md): a consumer that has read everything is never counted as behind, and one
that is behind by at least a batch is; one in the middle of the last batch may look caught up.
On real Kafka the figure is exact.

Every group a process consumes with is measured (`measure_subscriptions`, every
`SUBSCRIPTION_INTERVAL` seconds unless the service measures it itself, as sla-timer does its
ticket consumer twice a second) and shown on `/metrics` as `hotline_consumer_lag_records{topic,
group}` (-1 while unknown).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

log = logging.getLogger(__name__)


class ConsumerLag:
    def __init__(self, bootstrap: str, topic: str, group_id: str, *, interval: float = 0.5) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.group_id = group_id
        self.interval = interval
        self.lag: int | None = None
        self.measured_at: float | None = None  # monotonic
        self.behind_since: float | None = None  # monotonic, while lag is not zero
        self._applied: dict[int, int] = {}  # partition -> next offset, as applied in-process
        self._listeners: list[Callable[[], None]] = []

    def on_caught_up(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def consumed(self, records: Iterable[Any]) -> None:
        """Record applied (or dead-lettered) records: ConsumerRecords with partition, offset."""
        for record in records:
            if record.topic == self.topic:
                self._applied[record.partition] = max(self._applied.get(record.partition, 0),
                                                      record.offset + 1)

    def behind(self) -> bool:
        """True while records are outstanding, or the lag is not known yet."""
        return self.lag is None or self.lag > 0

    def snapshot(self) -> dict[str, Any]:
        behind_for = None if self.behind_since is None else round(time.monotonic() - self.behind_since, 1)
        return {"topic": self.topic, "group": self.group_id, "records": self.lag,
                "behind_seconds": behind_for}

    async def run(self) -> None:
        from hotline.kafka import client_options  # the HOTLINE_KAFKA_* security options

        consumer = AIOKafkaConsumer(**client_options(bootstrap=self.bootstrap),
                                    group_id=self.group_id, enable_auto_commit=False,
                                    client_id=f"{self.group_id}-lag")
        await consumer.start()  # never subscribes: it only reads offsets, it joins no group
        try:
            while True:
                try:
                    self._update(await self._measure(consumer))
                except (KafkaError, OSError, asyncio.TimeoutError) as exc:
                    log.warning("cannot measure the lag of %s on %s: %s", self.group_id, self.topic, exc)
                    self._update(None)
                await asyncio.sleep(self.interval)
        finally:
            with contextlib.suppress(Exception):
                await consumer.stop()

    async def _measure(self, consumer: AIOKafkaConsumer) -> int:
        partitions = consumer.partitions_for_topic(self.topic)
        if not partitions:
            await consumer.topics()  # fetch metadata
            partitions = consumer.partitions_for_topic(self.topic) or set()
        wanted = [TopicPartition(self.topic, p) for p in sorted(partitions)]
        ends = await asyncio.wait_for(consumer.end_offsets(wanted), 5)
        lag = 0
        for tp in wanted:
            committed = await asyncio.wait_for(consumer.committed(tp), 5) or 0
            position = max(committed, self._applied.get(tp.partition, 0))
            lag += max(0, ends[tp] - position)
        return lag

    def _update(self, lag: int | None) -> None:
        was_behind = self.behind()
        self.lag, self.measured_at = lag, time.monotonic()
        if self.behind():
            if self.behind_since is None:
                self.behind_since = self.measured_at
        else:
            self.behind_since = None
            if was_behind:
                for listener in self._listeners:
                    listener()


SUBSCRIPTION_INTERVAL = 10.0
_MEASURED: list[ConsumerLag] = []


def observe(lag: ConsumerLag) -> None:
    """Show `lag` on `/metrics` (`hotline_consumer_lag_records{topic,group}`)."""
    if not _MEASURED:
        from opentelemetry.metrics import Observation

        from hotline.telemetry import meter

        meter("hotline.consumers").create_observable_gauge(
            "hotline_consumer_lag_records", unit="{record}",
            description="Records on the topic the consumer group has not applied yet (-1: unknown)",
            callbacks=[lambda _: [Observation(-1 if m.lag is None else m.lag,
                                              {"topic": m.topic, "group": m.group_id}) for m in _MEASURED]])
    if all((m.topic, m.group_id) != (lag.topic, lag.group_id) for m in _MEASURED):
        _MEASURED.append(lag)


def measure_subscriptions(bootstrap: str, subscriptions: Iterable[tuple[str, str]]) -> list[ConsumerLag]:
    """A `ConsumerLag` for each (topic, group) not measured yet, observed; run each (`run`)."""
    found = []
    for topic, group in subscriptions:
        if any((m.topic, m.group_id) == (topic, group) for m in _MEASURED):
            continue
        lag = ConsumerLag(bootstrap, topic, group, interval=SUBSCRIPTION_INTERVAL)
        observe(lag)
        found.append(lag)
    return found
