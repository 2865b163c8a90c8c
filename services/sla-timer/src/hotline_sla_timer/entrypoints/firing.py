"""The firing loop: fires due timers in batches, every tick and as soon as time moves.

It wakes every `tick_seconds`, at once on NOTIFY `hotline_clock` (the simulated clock was set
or advanced) and when the ticket consumer catches up, then fires batches until fewer than a
full batch is due. Reading "now" and firing are synchronous (eventsourcing, psycopg) and run in
a worker thread. Nothing is held in memory between batches: pending timers live in the due index.

Firing waits for what it must know: while the ticket consumer is behind the end of
`hotline.tickets.v1` (or its lag is not known yet, as at start-up), a ticket event not yet
applied could stop or pause a clock that is due, so due timers are held, for at most
`hold_seconds`. After that they fire, and if an event applied later shows a clock had stopped
in time, sla-timer retracts what it fired.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from typing import Any

import asyncpg
from hotline.clock import CLOCK_CHANNEL
from hotline.lag import ConsumerLag
from hotline.telemetry import meter
from hotline.waking import woken

from hotline_sla_timer.application import SlaTimerApplication

log = logging.getLogger(__name__)


class FiringLoop:
    def __init__(self, app: SlaTimerApplication, database_url: str, *, batch_size: int,
                 tick_seconds: float, kill_mid_batch: bool = False, lag: ConsumerLag | None = None,
                 hold_seconds: float = 30.0) -> None:
        self._app = app
        self._url = database_url
        self._batch_size = batch_size
        self._tick = tick_seconds
        self._kill_mid_batch = kill_mid_batch
        self._lag = lag
        self._hold = hold_seconds
        self.held_since: float | None = None  # monotonic: due timers wait for the consumer
        self._gave_up = False  # the hold outlasted its bound: fire until the consumer catches up
        self.fired = 0

    async def run(self) -> None:
        wake = asyncio.Event()
        if self._lag is not None:
            self._lag.on_caught_up(wake.set)
        listener = await asyncpg.connect(self._url)
        try:
            await listener.add_listener(CLOCK_CHANNEL, lambda *_: wake.set())
            while True:
                wake.clear()
                if await self._may_fire():
                    while await asyncio.to_thread(self._fire_batch) >= self._batch_size:
                        pass
                await woken(wake, self._tick)
        finally:
            with contextlib.suppress(Exception):
                await listener.close()

    async def _may_fire(self) -> bool:
        """False while due timers are held for a consumer that is behind (up to the bound)."""
        if self._lag is None or not self._lag.behind():
            if self.held_since is not None:
                log.info("ticket consumer caught up; firing")
            self.held_since, self._gave_up = None, False
            return True
        if self.held_since is None:
            if not await asyncio.to_thread(self._app.anything_due):
                return False
            self.held_since = time.monotonic()
            log.info("holding due timers: the ticket consumer is behind", extra=self._lag.snapshot())
            return False
        if time.monotonic() - self.held_since < self._hold:
            return False
        if not self._gave_up:
            log.warning("firing although the ticket consumer is still behind after %.0fs; a "
                        "late stop will be retracted", self._hold, extra=self._lag.snapshot())
            self._gave_up = True
        return True

    def _fire_batch(self) -> int:
        fired = self._app.fire_due(self._batch_size, self._fault if self._kill_mid_batch else None)
        if fired:
            self.fired += fired
            _lateness().record(getattr(self._app, "last_lateness", 0.0))
            log.info("fired %d deadline events", fired, extra={"fired": fired})
        return fired

    @staticmethod
    def _fault(appended: int) -> None:
        log.warning("FAULT INJECTION: SIGKILL inside a firing batch of %d, before commit", appended)
        os.kill(os.getpid(), signal.SIGKILL)


_LATENESS: list[Any] = []


def _lateness() -> Any:
    """`hotline_sla_firing_lateness_seconds`: per firing batch, how long after its due instant
    the batch's most overdue timer fired (stack clock; moving a simulated clock shows as
    lateness)."""
    if not _LATENESS:
        _LATENESS.append(meter("hotline.sla_timer").create_histogram(
            "hotline_sla_firing_lateness_seconds", unit="s",
            description="How late the most overdue timer of each firing batch fired, in seconds",
            explicit_bucket_boundaries_advisory=[0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300]))
    return _LATENESS[0]
