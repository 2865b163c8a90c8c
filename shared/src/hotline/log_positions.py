"""How far each follower of a service's log (the relay, notifier's dispatcher) got, in the
service's own schema (`log_positions`), and the single-writer lock each holds while it runs
(`hotline.writer_lock`). Positions only move forward."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg

from hotline.writer_lock import WriterLock


class LogPositions:
    """How far each follower (relay, dispatcher) got in the log, in the service's own schema,
    and the single-writer lock each holds while it runs (`hotline.writer_lock`)."""

    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        self.pool = pool
        self._table = f'"{schema}".log_positions'

    async def setup(self) -> None:
        try:
            await self.pool.execute(
                f"CREATE TABLE IF NOT EXISTS {self._table} (follower text PRIMARY KEY, "
                "position bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), "
                "lock_checked_at timestamptz)"
            )
            if not await self.pool.fetchval(  # a table from before the lock was checked
                    f"SELECT count(*) FROM pg_attribute WHERE attrelid = '{self._table}'::regclass "
                    "AND attname = 'lock_checked_at'"):
                await self.pool.execute(f"ALTER TABLE {self._table} ADD COLUMN IF NOT EXISTS "
                                        "lock_checked_at timestamptz")
        except asyncpg.UniqueViolationError:
            pass  # another replica created it at the same moment

    @contextlib.asynccontextmanager
    async def exclusive(self, follower: str, retry_every: float = 2.0) -> AsyncIterator[WriterLock]:
        """Hold a PostgreSQL advisory lock named after the follower while it runs, so that
        of several replicas of a service only one relays (or dispatches) at a time; the
        others wait and take over when its session ends. The lock is checked while held
        (see `WriterLock`): do each side effect inside `lock.acting()`. Raises LockLost when
        the lock was lost and the holder stopped."""
        key = f"{self._table}:{follower}"
        async with self.pool.acquire() as conn:
            while not await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", key):
                await asyncio.sleep(retry_every)
            lock = WriterLock(conn, self._table, follower, key)
            try:
                async with lock._held():
                    yield lock
            finally:
                if lock.lost is None:
                    with contextlib.suppress(Exception):
                        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", key, timeout=2)

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
