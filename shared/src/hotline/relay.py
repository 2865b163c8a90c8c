"""The relay: follows a service's event log and publishes each event to Kafka.

The event store is the source of truth and its notification log is the outbox.
The relay reads the log in order (`hotline.follower.follow_log`), publishes each
event as a CloudEvent keyed by its aggregate id, waits for the broker's
acknowledgement of the whole batch, and only then records its position. A crash
re-publishes at most the unacknowledged batch: at-least-once per position,
per-key order kept; consumers de-duplicate by position.

It sends through aiokafka directly, as record batches built per partition (no
future per message), a whole log batch before awaiting any acknowledgement:
deadlines cluster, and a burst of ten thousand events must leave in seconds. The
trace context stored beside each event goes into the message headers as it is
(`traceparent`), so the consumer's span continues the trace that began at the edge
(SMTP, HTTP) without a span per message here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaProducer
from eventsourcing.application import Application

from hotline.contracts.envelope import CloudEvent
from hotline.follower import LogPositions, RecentEvents, follow_log
from hotline.partitioning import partition_for

log = logging.getLogger(__name__)

Message = tuple[bytes, bytes, list[tuple[str, bytes]]]
"""(key, value, headers) of one Kafka record."""

ToCloudEvent = Callable[[Any, int], CloudEvent | None]
"""Maps a stored domain event and its log position to the CloudEvent to publish
(or None for events that stay private to the service)."""


class Relay:
    def __init__(
        self,
        *,
        name: str,
        app: Application,
        producer: AIOKafkaProducer,
        topic: str,
        to_cloud_event: ToCloudEvent,
        positions: LogPositions,
        batch_size: int = 500,
        recent: RecentEvents | None = None,
    ) -> None:
        self.name = name
        self._app = app
        self._producer = producer
        self._topic = topic
        self._to_cloud_event = to_cloud_event
        self._positions = positions
        self._batch_size = batch_size
        self._recent = recent
        self.position = 0
        self.published = 0
        self.running = False

    async def run(self) -> None:
        """Publish forever (until cancelled), while holding this relay's lock."""
        async with self._positions.exclusive(self.name):
            self.position = await self._positions.load(self.name)
            log.info("relay started", extra={"relay": self.name, "position": self.position})
            self.running = True
            try:
                batches = follow_log(self._app, self._positions.pool, self.position,
                                     batch_size=self._batch_size, recent=self._recent)
                async with contextlib.aclosing(batches):  # its connection goes back at once
                    async for batch in batches:
                        await self._publish(batch)
            finally:
                self.running = False

    async def _publish(self, batch: list[tuple[Any, int]]) -> None:
        messages = [m for m in (self._message(e, p) for e, p in batch) if m is not None]
        delay = 0.2
        while True:
            try:
                await asyncio.gather(*await self._send(messages))
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Nothing is recorded; the whole batch is sent again (consumers de-duplicate).
                log.warning("relay publish failed; retrying",
                            extra={"relay": self.name, "error": str(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self.position = batch[-1][1]
        self.published += len(messages)
        await self._positions.save(self.name, self.position)

    async def _send(self, messages: list[Message]) -> list[asyncio.Future]:
        """Hand the messages to the producer as record batches, one run per partition, in log
        order. The partition is Kafka's default (murmur2 of the key, as the Java client and
        aiokafka compute it), so each aggregate's events stay in order on one partition."""
        partitions = sorted(await self._producer.partitions_for(self._topic))
        open_batches: dict[int, Any] = {}
        sent: list[asyncio.Future] = []
        for key, value, headers in messages:
            partition = partitions[partition_for(key, len(partitions))]
            builder = open_batches.get(partition)
            if builder is None or builder.append(key=key, value=value, timestamp=None, headers=headers) is None:
                if builder is not None:  # full: send it, start the next one
                    sent.append(await self._producer.send_batch(builder, self._topic, partition=partition))
                builder = open_batches[partition] = self._producer.create_batch()
                builder.append(key=key, value=value, timestamp=None, headers=headers)
        for partition, builder in open_batches.items():
            sent.append(await self._producer.send_batch(builder, self._topic, partition=partition))
        return sent

    def _message(self, domain_event: Any, position: int) -> Message | None:
        cloud_event = self._to_cloud_event(domain_event, position)
        if cloud_event is None:
            return None
        headers = cloud_event.headers()
        headers.update(getattr(domain_event, "trace_context", None) or {})
        return (str(domain_event.originator_id).encode(), cloud_event.body(),
                [(name, value.encode()) for name, value in headers.items()])
