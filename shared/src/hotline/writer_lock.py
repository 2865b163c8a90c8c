"""The single-writer lock of a log follower (the relay, notifier's dispatcher): a PostgreSQL
session advisory lock that its holder keeps checking while it holds it.

A session lock lives exactly as long as its session. If that session ends (pg_terminate_backend,
a cut connection, a server restart) PostgreSQL frees the lock and a standby takes it, while
the process that held it knows nothing. So the holder confirms the lock on the lock's own
session, with one statement that also records when (`lock_checked_at` in log_positions):
every `CHECK_EVERY` seconds (a watchdog), and before each side effect (`acting()`: a Kafka
batch publish, an email); side effects about to begin together share one confirmation that
began after each of them asked. When a check fails the holder stops: at once if it is between side
effects (its task is cancelled, and `LogPositions.exclusive` raises LockLost), else as soon
as the side effect in progress, begun under a confirmed lock, has ended.

A standby that gets the lock starts `TAKEOVER_MARGIN` seconds after the previous holder's last
confirmation (both instants by the database's clock), and not before: by then whatever that
holder began under a confirmed lock has ended, if it took at most the margin less the
`CHECK_TIMEOUT` its confirmation may have needed to arrive (4 s by default; a publish to a
reachable broker or an SMTP send takes milliseconds to a second). A longer side effect may
overlap the new holder's first: a batch or an email twice, with the same `ce_id` or Message-ID,
which consumers and mail clients de-duplicate. A holder that stops cleanly clears its
confirmation, so a restart does not wait.

Why not a lease with a fencing token: the side effects are a Kafka publish without
transactions (the local broker refuses them) and an SMTP send, neither of which can check a
token; a token would only fence our own position writes, which are monotonic already.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import asyncpg

log = logging.getLogger(__name__)

CHECK_EVERY = 1.0
CHECK_TIMEOUT = 1.0
TAKEOVER_MARGIN = 5.0


class LockLost(Exception):
    """The single-writer lock's session ended: another replica may hold the lock now."""


class WriterLock:
    """A held advisory lock (`key`, on `conn`'s session) that its holder can check."""

    def __init__(self, conn: asyncpg.Connection, table: str, follower: str, key: str, *,
                 check_every: float = CHECK_EVERY, check_timeout: float = CHECK_TIMEOUT) -> None:
        self._conn = conn
        self._follower = follower
        self._key = key
        self._check_every = check_every
        self._check_timeout = check_timeout
        self._table = table
        self._confirm = (  # the session holds the lock, and says so in log_positions
            f"UPDATE {table} SET lock_checked_at = clock_timestamp() WHERE follower = $1 AND EXISTS ("
            "SELECT FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
            " AND objsubid = 1 AND (classid::bigint << 32 | objid::bigint) = hashtext($2)::bigint)"
            " RETURNING true")
        self._using = asyncio.Lock()  # one statement at a time on the lock's connection
        self._asked = 0  # checks asked so far
        self._covered = 0  # checks answered by a confirmation that began after they were asked
        self._acting = 0
        self._holder: asyncio.Task | None = None
        self._stopped_holder = False
        self.lost: str | None = None

    async def check(self) -> None:
        """Confirm the lock on its own session, or raise LockLost. Checks asked while a
        confirmation is under way share the next one: each returns only after a confirmation
        that began after it was asked (numbered by `_asked`; `_covered` is the last number the
        latest confirmation answered), so concurrent sends cost one statement, not one each."""
        if self.lost is None:
            self._asked += 1
            mine = self._asked
            async with self._using:
                why = None
                if self._covered < mine and self.lost is None:
                    covering = self._asked  # every check asked before this statement begins
                    try:
                        held = await self._conn.fetchval(self._confirm, self._follower, self._key,
                                                         timeout=self._check_timeout)
                        why = None if held else "the lock is no longer held by its session"
                    except Exception as exc:  # not confirmed is lost: closed, cut, timed out, ...
                        why = f"{type(exc).__name__}: {exc}"
                    if why is None:
                        self._covered = covering
            if why is not None:
                self._lose(why)
        if self.lost is not None:
            raise LockLost(self.lost)

    @contextlib.asynccontextmanager
    async def acting(self) -> AsyncIterator[None]:
        """A side effect: begun only under a confirmed lock, and not interrupted if the lock is
        lost meanwhile; the holder stops right after it."""
        await self.check()
        self._acting += 1
        try:
            yield
        finally:
            self._acting -= 1
            if self.lost is not None:
                self._stop_holder()

    def _lose(self, why: str) -> None:
        self.lost = why
        log.error("single-writer lock lost; stopping", extra={"follower": self._follower, "error": why})
        with contextlib.suppress(Exception):  # a session that stopped answering must not keep it
            self._conn.terminate()

    def _stop_holder(self) -> None:
        if self._acting == 0 and self._holder is not None and not self._holder.done():
            self._stopped_holder = True
            self._holder.cancel()

    async def _take_over(self) -> None:
        """Wait out the margin after the previous holder's last confirmation, then confirm."""
        await self._conn.execute(
            f"INSERT INTO {self._table} (follower, position) VALUES ($1, 0) ON CONFLICT DO NOTHING",
            self._follower)
        wait = await self._conn.fetchval(
            f"SELECT extract(epoch FROM lock_checked_at + make_interval(secs => $2) - clock_timestamp())"
            f" FROM {self._table} WHERE follower = $1", self._follower, TAKEOVER_MARGIN)
        if wait is not None and wait > 0:
            log.info("waiting %.1fs for the previous holder to stop", wait,
                     extra={"follower": self._follower})
            await asyncio.sleep(float(wait))
        await self.check()

    async def _watch(self) -> None:
        with contextlib.suppress(LockLost):
            while True:
                await asyncio.sleep(self._check_every)
                await self.check()
        self._stop_holder()

    @contextlib.asynccontextmanager
    async def _held(self) -> AsyncIterator[WriterLock]:
        """Watch the lock while the caller's task holds it; a stop for its loss is LockLost."""
        self._holder = asyncio.current_task()
        await self._take_over()
        watchdog = asyncio.create_task(self._watch(), name=f"lock watchdog {self._follower}")
        try:
            yield self
        except asyncio.CancelledError:
            if self._stopped_holder and self._holder is not None:
                self._holder.uncancel()
                raise LockLost(self.lost) from None
            raise
        finally:
            watchdog.cancel()
            await asyncio.gather(watchdog, return_exceptions=True)
            if self.lost is None:
                with contextlib.suppress(Exception):
                    await self._conn.execute(f"UPDATE {self._table} SET lock_checked_at = NULL "
                                             "WHERE follower = $1", self._follower, timeout=2)
