"""Following an application's notification log from async code.

`follow_log` reads the events table with asyncpg, a page at a time, in notification-id order,
and waits on the recorder's LISTEN channel (eventsourcing NOTIFYs it in every insert
transaction) when it has caught up. Reading `notification_id > position` cannot pass over a
gap that fills later: eventsourcing's PostgreSQL recorder locks the table while it takes ids
and commits, so ids become visible in order. Pages are decoded in the event loop with the
application's own mapper; nothing is read ahead of the caller, which is the back-pressure.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent


class LogPositions:
    """How far each follower (relay, dispatcher) got in the log, in the service's own schema."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self._table = f'"{schema}".log_positions'

    async def setup(self) -> None:
        try:
            await self.pool.execute(
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
        async with self.pool.acquire() as conn:
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
                await asyncio.sleep(retry_every)
            try:
                yield
            finally:
                with contextlib.suppress(Exception):
                    await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", key)

    async def load(self, follower: str) -> int:
        value = await self.pool.fetchval(
            f"SELECT position FROM {self._table} WHERE follower = $1", follower
        )
        return int(value or 0)

    async def save(self, follower: str, position: int) -> None:
        await self.pool.execute(
            f"INSERT INTO {self._table} (follower, position) VALUES ($1, $2) "
            "ON CONFLICT (follower) DO UPDATE SET position = EXCLUDED.position, updated_at = now() "
            f"WHERE {self._table}.position < EXCLUDED.position",
            follower,
            position,
        )


async def follow_log(
    app: Application, pool: asyncpg.Pool, after: int, *, batch_size: int = 500,
    linger: float = 0.005, poll_seconds: float = 1.0,
) -> AsyncIterator[list[tuple[Any, int]]]:
    """Yield batches of (domain event, notification id) recorded after position `after`.

    When a page would be short, wait `linger` seconds and read on first: under a burst this
    makes batches large (each batch costs the caller a round trip), at rest it adds only a
    few milliseconds. Without a NOTIFY it still looks every `poll_seconds`."""
    recorder = app.recorder
    schema, table = recorder.datastore.schema, recorder.events_table_name  # type: ignore[attr-defined]
    select = (f'SELECT notification_id, originator_id, originator_version, topic, state '
              f'FROM "{schema}"."{table}" WHERE notification_id > $1 ORDER BY notification_id LIMIT $2')
    wake = asyncio.Event()

    def notified(*_: Any) -> None:
        wake.set()

    async with pool.acquire() as conn:
        channel = recorder.channel_name  # type: ignore[attr-defined]
        await conn.add_listener(channel, notified)  # before the first read: no NOTIFY is missed
        try:
            while True:
                wake.clear()
                rows = await conn.fetch(select, after, batch_size)
                if 0 < len(rows) < batch_size and linger:
                    await asyncio.sleep(linger)
                    rows += await conn.fetch(select, rows[-1]["notification_id"], batch_size - len(rows))
                if not rows:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wake.wait(), poll_seconds)
                    continue
                after = rows[-1]["notification_id"]
                yield [(_domain_event(app, row), row["notification_id"]) for row in rows]
        finally:
            with contextlib.suppress(Exception):
                await conn.remove_listener(channel, notified)


def _domain_event(app: Application, row: asyncpg.Record) -> Any:
    return app.mapper.to_domain_event(StoredEvent(
        originator_id=UUID(bytes=row["originator_id"].bytes), originator_version=row["originator_version"],
        topic=row["topic"], state=row["state"]))
