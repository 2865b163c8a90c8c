"""Work done on the stack's clock: a loop that runs `work` every `tick_seconds` and at once when
the clock moves (NOTIFY `hotline_clock`: the simulated clock was set or advanced).

`work` runs in a worker thread, again for as long as it returns something truthy (there was
more: a reminder whose start follows, another quote past its expiry). Nothing is held between
rounds: what falls due lives in the service's tables, so a restart picks up where it was.
Used by notifier's maintenance timer, billing's quote expiry and sla-timer's month close.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import asyncpg

from hotline.clock import CLOCK_CHANNEL
from hotline.waking import woken


async def on_clock(database_url: str, tick_seconds: float, work: Callable[[], Any]) -> None:
    """Run `work` each tick and whenever the clock moves, until cancelled."""
    wake = asyncio.Event()
    listener = await asyncpg.connect(database_url)
    try:
        await listener.add_listener(CLOCK_CHANNEL, lambda *_: wake.set())
        while True:
            wake.clear()
            while await asyncio.to_thread(work):
                pass
            await woken(wake, tick_seconds)
    finally:
        with contextlib.suppress(Exception):
            await listener.close()
