"""Recording attempts' outcomes together: one transaction for every attempt that finished while
the previous one was being written.

Each attempt's `Sent` or `Failed` event, and its row in the delivery index, used to be a
transaction of its own: eventsourcing's table lock, an index upsert, a NOTIFY and a commit per
email, which (measured by `make bench`) held the dispatcher to a fraction of what the relay
takes. `OutcomeWriter.record` queues the outcome and waits until it is committed; `run` writes
whatever is queued in one `record_outcomes` call, so under load the batches grow by themselves
and when idle each outcome is written at once (no timer, no added latency).

An outcome that arrives while no `run` is writing (the dispatcher is going down: its attempts
were cancelled, but a send that had just finished can swallow the cancellation — Python 3.11's
`asyncio.wait_for`, inside aiosmtplib) is written on its own, at once: waiting for a writer that
is gone would hang the dispatcher's shutdown forever, and not writing it would send the message
again after the restart.

A batch that fails for a reason every notification would meet (`TRANSIENT`: the database is
down) fails every attempt in it, as one attempt would have. Any other failure is retried one
notification at a time, each from its saved state, so one bad notification stays its own.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hotline.clock import Clock, SystemClock
from hotline.settling import TRANSIENT
from hotline_notifier.domain.delivery import Outcome
from hotline_notifier.domain.notification import Notification

log = logging.getLogger(__name__)


@dataclass
class Recorded:
    notification: Notification
    outcome: Outcome
    at: datetime | None  # the stack's clock; None: when its batch is written
    next_attempt_at: datetime | None
    done: asyncio.Future[None] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class OutcomeWriter:
    def __init__(self, app: Any, clock: Clock | None = None) -> None:
        self.app = app  # NotifierApplication (DeliveryRecords)
        self.clock = clock or SystemClock()  # read once per batch, in the writing thread
        self._queued: list[Recorded] = []
        self._ready = asyncio.Event()
        self._running = False
        self.batches = 0  # transactions written, for the benchmark and tests

    async def record(self, notification: Notification, outcome: Outcome, *,
                     at: datetime | None = None, next_attempt_at: datetime | None) -> None:
        """Queue one attempt's outcome; return once it is committed (or raise why not). Without
        `at`, it is recorded at the instant its batch is written (the clock read once per batch,
        off the event loop: the simulated clock is a database read)."""
        item = Recorded(notification, outcome, at, next_attempt_at)
        if not self._running:  # no writer to wait for: write it now
            await self._write([item])
        else:
            self._queued.append(item)
            self._ready.set()
        await item.done

    async def run(self) -> None:
        """Write what is queued, batch after batch, until cancelled."""
        self._running = True
        batch: list[Recorded] = []
        try:
            while True:
                await self._ready.wait()
                self._ready.clear()
                batch, self._queued = self._queued, []
                if batch:
                    await self._write(batch)
                batch = []
        finally:
            self._running = False
            left, self._queued = batch + self._queued, []  # the one being written, too
            for item in left:  # nobody may wait for a writer that is gone
                if not item.done.done():
                    item.done.cancel()

    async def _write(self, batch: list[Recorded]) -> None:
        def write() -> None:
            now = self.clock.now() if any(i.at is None for i in batch) else None
            self.app.record_outcomes([(i.notification, i.outcome, i.at or now, i.next_attempt_at)
                                      for i in batch])

        try:
            await asyncio.to_thread(write)
        except Exception as exc:  # noqa: BLE001 (each attempt decides what it means)
            if isinstance(exc, TRANSIENT) or len(batch) == 1:
                _settle(batch, exc)
                return
            log.warning("a batch of %d outcomes failed (%s); recording them one by one",
                        len(batch), exc)
            for item in batch:
                await self._write_alone(item)
            return
        self.batches += 1
        _settle(batch, None)

    async def _write_alone(self, item: Recorded) -> None:
        def again() -> None:  # from its saved state: the failed batch changed the loaded copies
            notification = self.app.repository.get(item.notification.id)
            at = item.at or self.clock.now()
            self.app.record_outcomes([(notification, item.outcome, at, item.next_attempt_at)])

        try:
            await asyncio.to_thread(again)
        except Exception as exc:  # noqa: BLE001 (the attempt decides what it means)
            _settle([item], exc)
        else:
            _settle([item], None)


def _settle(batch: list[Recorded], error: BaseException | None) -> None:
    for item in batch:
        if item.done.done():
            continue
        if error is None:
            item.done.set_result(None)
        else:
            item.done.set_exception(error)
