"""The relay: follows a service's event log and publishes each event to Kafka.

The event store is the source of truth and its notification log is the outbox.
The relay reads the log in order (`hotline.follower.follow_log`), publishes each
event as a CloudEvent keyed by its aggregate id, waits for the broker's
acknowledgement of the whole batch, and only then records its position, per-key order kept.
Each publish attempt is a side effect under the checked single-writer lock
(`hotline.writer_lock`).

No `ce_id` goes on the topic twice, even across a SIGKILL or a broker fault. Whenever the relay
cannot know what the broker has (when it starts: a predecessor may have been killed after the
broker stored a batch, or part of it, and before the position was recorded; and before it sends
again after a failed send, which may have stored some partitions' batches), it first reads back
the last batch-size records of each partition of its topic (`tail_reader`,
`hotline.published_tail`) and skips every record already on the partition its key goes to (same
`ce_source`, same `hotline_position`); the position still advances over what it skipped. A
read-back that fails counts as a failed attempt and is tried again later: it never sends unsure
without one. Once a send went through and its position is recorded past everything the
read-back found, it is sure again and sends without looking (the fast path). Without a
`tail_reader` (some tests) there is no read-back: at-least-once, consumers de-duplicate by
position (as they still do for deliberate republishing).

It sends through aiokafka directly (`hotline.relay_records`), a whole log batch before
awaiting any acknowledgement: deadlines cluster, and a burst of ten thousand events must leave
in seconds. The trace context stored beside each event goes into the message headers as it is
(`traceparent`), so the consumer's span continues the trace that began at the edge.
A relay given the classes it publishes (`publishes`) leaves every other event of the log
undecoded and passes over it (`follow_log`).

A record it must not or cannot publish stops it there, for good: one over `max_record_bytes`
(HOTLINE_KAFKA_MAX_RECORD_BYTES), one that cannot be built, or one the broker refuses
(`kafka.refused`: too large for it, invalid). Everything before it is published and recorded;
`status.blocked` says where and why (`/readyz`: `relay: blocked at position N: reason`; gauge
`hotline_relay_blocked`), and the relay keeps its lock and publishes nothing more until it is
restarted: retrying cannot help, and going on would lose the event or its order. To find the
refused record in a refused batch, the batch is sent again one record at a time (after a
read-back: what went out already is skipped). An unreachable broker is retried, as ever.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from eventsourcing.application import Application

from hotline import shutdown
from hotline.follower import LogPositions, RecentEvents, follow_log
from hotline.kafka import refused
from hotline.published_tail import ReadTail, Tail
from hotline.relay_records import (
    Message,
    ToCloudEvent,
    record_size,
    send_batches,
    to_record,
)
from hotline.settings import DEFAULT_MAX_RECORD_BYTES
from hotline.writer_lock import LockLost, WriterLock

log = logging.getLogger(__name__)

__all__ = ["Relay", "RelayStatus", "ToCloudEvent"]


@dataclass
class RelayStatus:
    """Where a relay is and whether it is blocked; outlives restarts of its task."""

    name: str
    position: int = 0
    published: int = 0
    blocked: tuple[int, str] | None = None  # (position, reason)
    head: int = 0  # the log's last position, as last looked at (`hotline_relay_backlog`)

    @property
    def backlog(self) -> int:
        """Events in the log not yet published."""
        return max(self.head - self.position, 0)

    def describe(self) -> str:
        if self.blocked is not None:
            return f"blocked at position {self.blocked[0]}: {self.blocked[1]}"
        return f"publishing, at position {self.position}"


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
        max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
        status: RelayStatus | None = None,
        tail_reader: ReadTail | None = None,
        publishes: tuple[type, ...] | None = None,
    ) -> None:
        self.name = name
        self._app = app
        self._producer = producer
        self._topic = topic
        self._to_cloud_event = to_cloud_event
        self._positions = positions
        self._batch_size = batch_size
        self._recent = recent
        self._max_record_bytes = max_record_bytes
        self.status = status or RelayStatus(name)
        self.running = False
        self._tail_reader = tail_reader
        self._publishes = publishes  # the event classes `to_cloud_event` may publish; None: any
        self._unsure = tail_reader is not None  # read back before the next send
        self._tail: Tail | None = None  # the last read-back, while it may still matter

    @property
    def position(self) -> int:
        return self.status.position

    @property
    def published(self) -> int:
        return self.status.published

    async def run(self) -> None:
        """Publish forever (until cancelled or the lock is lost), while holding this relay's
        lock; when blocked, keep holding it (a standby would only block there too)."""
        async with self._positions.exclusive(self.name) as lock:
            self.status.position = await self._positions.load(self.name)
            self.status.blocked = None
            self._unsure, self._tail = self._tail_reader is not None, None  # what did it leave?
            log.info("relay started", extra={"relay": self.name, "position": self.position})
            self.running = True
            try:
                batches = follow_log(self._app, self._positions.pool, self.position,
                                     batch_size=self._batch_size, recent=self._recent,
                                     publishes=self._publishes)
                async with contextlib.aclosing(batches):  # its connection goes back at once
                    async for batch in batches:
                        async with shutdown.critical():  # published and recorded, or neither started
                            await self._publish(batch, lock)
                        if self.status.blocked is not None:
                            break
                await asyncio.Event().wait()  # blocked; the lock's watchdog still runs
            finally:
                self.running = False

    async def _publish(self, batch: list[tuple[Any, int]], lock: WriterLock) -> None:
        """Publish the batch up to the first record that must not go; block there."""
        records: list[tuple[int, Message | None]] = []
        for domain_event, position in batch:
            if domain_event is None:  # not of `publishes`: private, left undecoded
                records.append((position, None))
                continue
            try:
                message = to_record(self._to_cloud_event, domain_event, position)
            except Exception as exc:
                why = f"cannot build its record: {type(exc).__name__}: {exc}"
            else:
                size = 0 if message is None else record_size(message)
                if size <= self._max_record_bytes:
                    records.append((position, message))
                    continue
                why = (f"record of {size} bytes is over HOTLINE_KAFKA_MAX_RECORD_BYTES "
                       f"({self._max_record_bytes})")
            if records:
                await self._deliver(records, lock)
            if self.status.blocked is None:
                self._block(position, why)
            return
        await self._deliver(records, lock)

    async def _deliver(self, records: list[tuple[int, Message | None]], lock: WriterLock) -> None:
        """Send the records and record the position, retrying while the broker is unreachable;
        a refused batch is sent one record at a time to find the refused record. While unsure
        what the broker has, read its tail back first and send only what is not there."""
        messages = [m for _, m in records if m is not None]
        delay = 0.2
        while True:
            try:
                async with lock.acting():
                    pending = await self._unpublished(messages)
                    await send_batches(self._producer, self._topic, pending)
                    self.status.position = records[-1][0]
                    self.status.published += len(pending)
                    await self._positions.save(self.name, self.position)
                    if self._tail is not None and self.position >= self._tail.highest():
                        self._tail = None  # nothing further on the topic: sure again
                return
            except LockLost:
                raise
            except Exception as exc:
                if self._tail_reader is not None:
                    self._unsure = True  # some of it may be on the topic now
                if refused(exc) and len(messages) > 1:
                    return await self._one_by_one(records, lock)
                if refused(exc):
                    [position] = [p for p, m in records if m is not None]
                    return self._block(position, f"refused by the broker: {type(exc).__name__}: {exc}")
                # Nothing is recorded; the batch is sent again, after a read-back if there is one.
                log.warning("relay publish failed; retrying", extra={"relay": self.name, "error": str(exc)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)

    async def _unpublished(self, messages: list[Message]) -> list[Message]:
        """The messages not on the topic yet, as far as the read-back knows (reading it back
        first when unsure); all of them when there is nothing to know."""
        if self._unsure:
            assert self._tail_reader is not None
            self._tail = await self._tail_reader(self._topic, max(self._batch_size, len(messages)))
            self._unsure = False
            log.info("relay read back its topic's tail", extra={
                "relay": self.name, "records": len(self._tail), "highest": self._tail.highest()})
        if self._tail is None or not messages:
            return messages
        partitions = sorted(await self._producer.partitions_for(self._topic))
        pending = [message for message in messages if not self._tail.holds(message, partitions)]
        if skipped := len(messages) - len(pending):
            log.warning("relay skipped records already on the topic",
                        extra={"relay": self.name, "skipped": skipped})
        return pending

    async def _one_by_one(self, records: list[tuple[int, Message | None]], lock: WriterLock) -> None:
        start = 0
        for i, (_, message) in enumerate(records):
            if message is not None:
                await self._deliver(records[start:i + 1], lock)  # with the private events before it
                if self.status.blocked is not None:
                    return
                start = i + 1
        if start < len(records):
            await self._deliver(records[start:], lock)

    def _block(self, position: int, why: str) -> None:
        self.status.blocked = (position, why)
        log.error("relay blocked at position %d: %s", position, why, extra={"relay": self.name})
