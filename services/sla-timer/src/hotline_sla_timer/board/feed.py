"""`BoardFeed`: wakes the board's event streams when something they show changes.

One task per process (`run`, supervised by the runtime) holds one pooled PostgreSQL connection
listening on two channels: the NOTIFY eventsourcing sends on every insert into sla-timer's
events table (a clock changed, a deadline fired: written by this instance or another) and the
simulated clock's (`hotline.clock.CLOCK_CHANNEL`: time moved). Wake-ups are debounced
(`debounce` seconds, so a burst of inserts is one update), the view catches up, and every
subscribed stream is told to send the board again. Without any NOTIFY it still catches up every
`backstop` seconds. Streams subscribe with `subscription()`, which removes them again however
they end; `close()` (or the task's cancellation at shutdown) ends them all, so an open page
never holds up a shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from hotline.clock import CLOCK_CHANNEL
from hotline.waking import woken
from hotline_sla_timer.board.view import BoardView


class Subscriber:
    """One stream's mailbox: `changed` is set when the board should be sent again."""

    def __init__(self) -> None:
        self.changed = asyncio.Event()
        self.closed = False


class BoardFeed:
    def __init__(self, view: BoardView, *, debounce: float = 0.2, backstop: float = 5.0) -> None:
        self.view = view
        self.debounce = debounce
        self.backstop = backstop
        self.subscribers: set[Subscriber] = set()
        self.latest: dict[str, Any] | None = None
        self._dirty = asyncio.Event()

    @contextlib.asynccontextmanager
    async def subscription(self) -> AsyncIterator[Subscriber]:
        subscriber = Subscriber()
        self.subscribers.add(subscriber)
        try:
            yield subscriber
        finally:
            self.subscribers.discard(subscriber)

    def publish(self, board: dict[str, Any] | None = None) -> None:
        """Tell every stream to send the board again: `board` (computed once for all of them),
        or, without it, each its own fresh snapshot."""
        self.latest = board
        for subscriber in self.subscribers:
            subscriber.changed.set()

    async def close(self) -> None:
        for subscriber in self.subscribers:
            subscriber.closed = True
            subscriber.changed.set()

    def notified(self, *_: object) -> None:
        self._dirty.set()

    async def run(self, pool: asyncpg.Pool | None, events_channel: str) -> None:
        """Listen and publish until cancelled (at shutdown every stream is ended)."""
        assert pool is not None, "the wiring's pool is not started"
        try:
            async with pool.acquire() as conn:
                await conn.add_listener(events_channel, self.notified)
                await conn.add_listener(CLOCK_CHANNEL, self.notified)
                try:
                    await self.follow()
                finally:
                    with contextlib.suppress(Exception):
                        await conn.remove_listener(events_channel, self.notified)
                        await conn.remove_listener(CLOCK_CHANNEL, self.notified)
        except asyncio.CancelledError:
            await self.close()
            raise

    async def follow(self) -> None:
        """Catch up and publish on each (debounced) wake-up, and every `backstop` seconds."""
        while True:
            woke = await woken(self._dirty, self.backstop)
            if woke:
                await asyncio.sleep(self.debounce)
            self._dirty.clear()
            changed = await asyncio.to_thread(self.view.catch_up)
            if (woke or changed) and self.subscribers:  # a clock move changes every countdown
                self.publish(await asyncio.to_thread(self.view.snapshot))
