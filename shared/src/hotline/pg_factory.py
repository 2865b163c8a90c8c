"""eventsourcing's PostgreSQL factory, with a connection pool that pings only idle connections.

eventsourcing's `POSTGRES_PRE_PING` makes the pool send a round trip (`check_connection`) before
every checkout. Every service needs the check: after PostgreSQL restarts, each pooled
connection is dead, and without it each one fails its next caller once. But under load a
connection goes back to work within milliseconds, and the ping then cost a fifth of
sla-timer's time in the outage-day surge.

`IdlePing` pings a connection only when it was last handed out at least `after` seconds ago
(`PING_AFTER_IDLE`, 1 s). That still catches every connection a restart killed: a restart
takes longer than that, and a connection in use across one fails its query and is discarded
by the pool when it comes back. A connection a server killed by itself within the last
second (`pg_terminate_backend`) fails once, as every connection did without pre-ping; the
recorders' own retry (eventsourcing retries `OperationalError`) takes another.

`PERSISTENCE_MODULE` names `Factory` (`hotline.eventstore.postgres_env` sets it).
"""

from __future__ import annotations

import time
from typing import Any

from eventsourcing.postgres import ConnectionPool, PostgresFactory

PING_AFTER_IDLE = 1.0
"""Seconds since a connection was last handed out after which it is pinged before the next."""


class IdlePing:
    """The pool's `check` callback: `ConnectionPool.check_connection` for a connection not
    handed out in the last `after` seconds (or never before), nothing for one in steady use."""

    def __init__(self, after: float = PING_AFTER_IDLE) -> None:
        self.after = after
        self.pings = 0  # how many round trips it sent (read by tests)

    def __call__(self, conn: Any) -> None:
        now = time.monotonic()
        last = getattr(conn, "_hotline_handed_out", None)
        if last is None or now - last >= self.after:
            self.pings += 1
            ConnectionPool.check_connection(conn)  # raises for a dead one: the pool replaces it
        conn._hotline_handed_out = now


class Factory(PostgresFactory):
    """`PostgresFactory` whose pool, when `POSTGRES_PRE_PING` is on, pings with `IdlePing`."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        pool = self.datastore.pool
        if pool._check is not None:  # psycopg_pool keeps the check callback here
            pool._check = IdlePing()
