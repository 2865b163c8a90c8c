"""Time, injected: every component reads "now" from a Clock, never from datetime.now.

Production uses `SystemClock`. `FixedClock` serves unit tests. `SimulatedClock`
moves time for the whole running stack (tests and demos), only when
HOTLINE_SIMULATED_CLOCK=true.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import psycopg


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that only moves when told to (unit tests)."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(timezone.utc)

    def advance(self, by: timedelta) -> None:
        self._at += by


class HeldClock:
    """`clock`, read once for the length of a block in each thread (`held`): what one action
    decides (a duplicate window, a rate limit, the rows it purges) is judged at one instant, and
    a clock that is a database read (`SimulatedClock`) is read once, not once per question.
    Outside a block it is `clock`; everything else (`set`, `advance`) is `clock`'s."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._local = threading.local()

    def now(self) -> datetime:
        at = getattr(self._local, "at", None)
        return at if at is not None else self.clock.now()

    @contextlib.contextmanager
    def held(self, at: datetime | None = None) -> Iterator[datetime]:
        """Hold `at` (default: now) as now in this thread for the block; a block inside
        another keeps the outer instant."""
        outer = getattr(self._local, "at", None)
        if outer is not None:
            yield outer
            return
        self._local.at = at if at is not None else self.clock.now()
        try:
            yield self._local.at
        finally:
            self._local.at = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.clock, name)


CLOCK_TABLE = "hotline_clock.simulated_time"
CLOCK_CHANNEL = "hotline_clock"
"""PostgreSQL NOTIFY channel: services that wait for instants wake up when time moves."""


class SimulatedClockDisabled(RuntimeError):
    pass


class SimulatedClock:
    """Stack-wide simulated time, kept in one PostgreSQL row every service reads.

    Until someone sets it, it reads the system clock. `set` fixes it at an instant and
    `advance` moves it forward; it then stays there (time does not flow by itself), so a
    test or a demo decides exactly when a 15-support-day deadline arrives. Only services
    started with HOTLINE_SIMULATED_CLOCK=true use it.
    """

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._local = threading.local()
        from hotline.eventstore import create_if_missing

        with psycopg.connect(database_url, autocommit=True) as conn:
            create_if_missing(conn, "CREATE SCHEMA IF NOT EXISTS hotline_clock")
            create_if_missing(
                conn,
                f"CREATE TABLE IF NOT EXISTS {CLOCK_TABLE} "
                "(singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), at timestamptz NOT NULL)",
            )

    def _conn(self) -> psycopg.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._local.conn = psycopg.connect(self._url, autocommit=True)
        return conn

    def now(self) -> datetime:
        try:
            row = self._conn().execute(f"SELECT at FROM {CLOCK_TABLE}").fetchone()
        except psycopg.OperationalError:
            self._local.conn = None
            raise
        return row[0].astimezone(timezone.utc) if row else datetime.now(timezone.utc)

    def set(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            raise ValueError("the simulated time needs a UTC offset, e.g. 2026-11-27T15:59:00-08:00")
        self._write(at.astimezone(timezone.utc))
        return self.now()

    def advance(self, by: timedelta) -> datetime:
        if by < timedelta(0):
            raise ValueError("simulated time only moves forward")
        self._write(self.now() + by)
        return self.now()

    def reset(self) -> None:
        """Back to the system clock."""
        with self._conn().transaction():
            self._conn().execute(f"DELETE FROM {CLOCK_TABLE}")
            self._conn().execute(f"NOTIFY {CLOCK_CHANNEL}")

    def _write(self, at: datetime) -> None:
        with self._conn().transaction():
            self._conn().execute(
                f"INSERT INTO {CLOCK_TABLE} (singleton, at) VALUES (true, %s) "
                "ON CONFLICT (singleton) DO UPDATE SET at = EXCLUDED.at",
                (at,),
            )
            self._conn().execute(f"NOTIFY {CLOCK_CHANNEL}")


def clock_from_settings(settings: Any) -> Clock:
    """The clock a service uses: simulated only when the stack allows it."""
    if getattr(settings, "simulated_clock", False):
        return SimulatedClock(settings.database_url)
    return SystemClock()
