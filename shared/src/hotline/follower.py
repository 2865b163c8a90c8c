"""Following an application's notification log from async code.

eventsourcing's `ApplicationSubscription` blocks, so it runs in a worker thread
that hands (domain event, position) pairs to the event loop through a bounded
queue: a slow consumer applies back-pressure instead of buffering without limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from eventsourcing.application import Application
from eventsourcing.projection import ApplicationSubscription

_DONE = object()


class LogPositions:
    """How far each follower (relay, dispatcher) got in the log, in the service's own schema."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self._pool = pool
        self._table = f'"{schema}".log_positions'

    async def setup(self) -> None:
        try:
            await self._pool.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} (follower text PRIMARY KEY, "
                "position bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())"
            )
        except asyncpg.UniqueViolationError:
            pass  # another replica created it at the same moment

    @contextlib.asynccontextmanager
    async def exclusive(self, follower: str, retry_every: float = 2.0) -> AsyncIterator[None]:
        """Hold a PostgreSQL advisory lock named after the follower while it runs, so that
        of several replicas of a service only one relays (or dispatches) at a time; the
        others wait and take over when its session ends."""
        key = f"{self._table}:{follower}"
        async with self._pool.acquire() as conn:
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
                await asyncio.sleep(retry_every)
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", key)

    async def load(self, follower: str) -> int:
        value = await self._pool.fetchval(
            f"SELECT position FROM {self._table} WHERE follower = $1", follower
        )
        return int(value or 0)

    async def save(self, follower: str, position: int) -> None:
        await self._pool.execute(
            f"INSERT INTO {self._table} (follower, position) VALUES ($1, $2) "
            "ON CONFLICT (follower) DO UPDATE SET position = EXCLUDED.position, updated_at = now() "
            f"WHERE {self._table}.position < EXCLUDED.position",
            follower,
            position,
        )


async def follow_log(
    app: Application, after: int, *, batch_size: int = 500, queue_size: int = 5000,
    linger: float = 0.005,
) -> AsyncIterator[list[tuple[Any, int]]]:
    """Yield batches of (domain event, notification id) recorded after position `after`.

    When a batch would be small, wait `linger` seconds for more first: under a burst this
    makes batches large (each batch costs the caller a round trip), at rest it adds only
    a few milliseconds."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[Any] = asyncio.Queue()
    room = threading.BoundedSemaphore(queue_size)  # back-pressure on the reader thread
    stopping = threading.Event()
    subscription = await asyncio.to_thread(ApplicationSubscription, app, gt=after)

    def hand_over(item: Any) -> None:
        # call_soon_threadsafe, not run_coroutine_threadsafe: no future per item, and the
        # semaphore bounds what the loop has not taken yet.
        while not room.acquire(timeout=0.5):
            if stopping.is_set():
                return
        loop.call_soon_threadsafe(queue.put_nowait, item)

    def read() -> None:
        try:
            for domain_event, tracking in subscription:
                if stopping.is_set():
                    return
                hand_over((domain_event, tracking.notification_id))
        except Exception as exc:
            if not stopping.is_set():
                hand_over(exc)
            return
        if not stopping.is_set():
            hand_over(_DONE)

    reader = threading.Thread(target=read, name=f"follow-{app.name}", daemon=True)
    reader.start()
    try:
        while True:
            items = [await queue.get()]
            if queue.qsize() < batch_size:
                await asyncio.sleep(linger)
            while len(items) < batch_size and not queue.empty():
                items.append(queue.get_nowait())
            for _ in items:
                room.release()
            batch = []
            for item in items:
                if item is _DONE:
                    return
                if isinstance(item, BaseException):
                    raise item
                batch.append(item)
            yield batch
    finally:
        stopping.set()
        with contextlib.suppress(Exception):
            subscription.stop()
