"""The firing loop: fires due timers in batches, every tick and as soon as time moves.

It wakes every `tick_seconds`, and at once on NOTIFY `hotline_clock` (the simulated clock was
set or advanced), then fires batches until fewer than a full batch is due. Reading "now" and
firing are synchronous (eventsourcing, psycopg) and run in a worker thread. Nothing is held in
memory between batches: pending timers live in the due index.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal

import asyncpg

from hotline.clock import CLOCK_CHANNEL
from hotline_sla_timer.application import SlaTimerApplication

log = logging.getLogger(__name__)


class FiringLoop:
    def __init__(self, app: SlaTimerApplication, database_url: str, *, batch_size: int,
                 tick_seconds: float, kill_mid_batch: bool = False) -> None:
        self._app = app
        self._url = database_url
        self._batch_size = batch_size
        self._tick = tick_seconds
        self._kill_mid_batch = kill_mid_batch
        self.fired = 0

    async def run(self) -> None:
        wake = asyncio.Event()
        listener = await asyncpg.connect(self._url)
        try:
            await listener.add_listener(CLOCK_CHANNEL, lambda *_: wake.set())
            while True:
                wake.clear()
                while await asyncio.to_thread(self._fire_batch) >= self._batch_size:
                    pass
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), self._tick)
        finally:
            with contextlib.suppress(Exception):
                await listener.close()

    def _fire_batch(self) -> int:
        fired = self._app.fire_due(self._batch_size, self._fault if self._kill_mid_batch else None)
        if fired:
            self.fired += fired
            log.info("fired %d deadline events", fired, extra={"fired": fired})
        return fired

    @staticmethod
    def _fault(appended: int) -> None:
        log.warning("FAULT INJECTION: SIGKILL inside a firing batch of %d, before commit", appended)
        os.kill(os.getpid(), signal.SIGKILL)
