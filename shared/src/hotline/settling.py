"""What becomes of each record a tracked consumer reads: applied once, or dead-lettered with its
reason, or, when neither succeeded, delivered again.

`Settling.read` turns a record into a CloudEvent or dead-letters it (`oversized` beyond
`max_record_bytes`, else the envelope's reason); `Settling.apply_one` applies an event,
retrying infrastructure failures (`TRANSIENT`: every message would fail alike) until they
pass and any other failure `attempts` times before dead-lettering it as `apply-failed`. When
the dead-letter publish fails too, `NotSettled` is raised after a pause that grows while it
keeps happening: the subscriber then rewinds to the record instead of acknowledging it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable

import psycopg
from aiokafka import ConsumerRecord
from eventsourcing.persistence import OperationalError
from faststream.kafka import KafkaBroker

from hotline import kafka
from hotline.contracts.envelope import CloudEvent, EnvelopeError, parse

log = logging.getLogger(__name__)

Apply = Callable[[CloudEvent], Awaitable[None]]

TRANSIENT = (OperationalError, psycopg.OperationalError, ConnectionError)
"""Infrastructure failures: every item would meet them alike, so they are retried (or stop the
loop), never blamed on the item at hand."""


class NotSettled(Exception):
    """A record was neither applied nor dead-lettered: it must be delivered again."""


def _size(record: ConsumerRecord) -> int:
    return (len(record.key or b"") + len(record.value or b"")
            + sum(len(k) + len(v or b"") for k, v in record.headers or ()))


@dataclasses.dataclass
class Settling:
    """Applies or dead-letters the records of one subscription; `unsettled` pauses (longer
    each time in a row) and raises NotSettled, so that the record is delivered again."""

    broker: KafkaBroker
    topic: str
    group_id: str
    max_record_bytes: int
    attempts: int
    failures: int = 0

    async def dead_letter(self, record: ConsumerRecord, reason: str, error: str) -> None:
        try:
            await kafka.dead_letter(
                self.broker, self.topic, key=record.key, value=record.value,
                headers=list(record.headers or ()), error=error, reason=reason,
                partition=record.partition, offset=record.offset, consumer=self.group_id,
                max_record_bytes=self.max_record_bytes)
        except Exception as exc:
            await self.unsettled(record, f"dead-lettering failed: {type(exc).__name__}: {exc}")
        self.failures = 0

    async def unsettled(self, record: ConsumerRecord, why: str) -> None:
        self.failures += 1
        log.error("message neither applied nor dead-lettered; it will be redelivered: %s", why,
                  extra={"topic": self.topic, "partition": record.partition, "offset": record.offset})
        await asyncio.sleep(min(0.5 * 2 ** (self.failures - 1), 10.0))
        raise NotSettled(why)

    async def read(self, record: ConsumerRecord) -> CloudEvent | None:
        """The record's event, or None once it was dead-lettered as unreadable or oversized."""
        if (size := _size(record)) > self.max_record_bytes:
            await self.dead_letter(record, "oversized",
                                   f"oversized: record of {size} bytes, over {self.max_record_bytes}")
            return None
        try:
            return parse(dict(record.headers or ()), record.value or b"")
        except EnvelopeError as exc:
            await self.dead_letter(record, exc.reason, f"unreadable: {exc}")
            return None

    async def apply_one(self, record: ConsumerRecord, event: CloudEvent, apply: Apply) -> None:
        """Apply one event: transient failures retried until they pass, others `attempts` times."""
        failures = 0
        delay = 0.2
        while True:
            try:
                await apply(event)
                self.failures = 0
                return
            except TRANSIENT as exc:
                log.warning("transient failure applying %s; retrying: %s", event.id, exc)
            except Exception as exc:
                failures += 1
                log.exception("failed to apply %s (attempt %d)", event.id, failures)
                if failures >= self.attempts:
                    await self.dead_letter(record, "apply-failed", f"{type(exc).__name__}: {exc}")
                    return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)
