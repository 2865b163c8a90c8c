"""The quote expiry task: records `expired` on open quotes past their expiry, every
`tick_seconds` and at once on NOTIFY `hotline_clock` (the simulated clock moved). Deciding a
quote checks expiry too, so this only makes unanswered quotes' expiry known (and published)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from hotline.clock import CLOCK_CHANNEL
from hotline.waking import woken
from hotline_billing.application import BillingApplication

log = logging.getLogger(__name__)


class QuoteExpiry:
    def __init__(self, app: BillingApplication, database_url: str, *, tick_seconds: float = 5.0) -> None:
        self._app = app
        self._url = database_url
        self._tick = tick_seconds

    async def run(self) -> None:
        wake = asyncio.Event()
        listener = await asyncpg.connect(self._url)
        try:
            await listener.add_listener(CLOCK_CHANNEL, lambda *_: wake.set())
            while True:
                wake.clear()
                while await asyncio.to_thread(self._app.expire_quotes):
                    pass  # until none is left past its expiry
                await woken(wake, self._tick)
        finally:
            with contextlib.suppress(Exception):
                await listener.close()
