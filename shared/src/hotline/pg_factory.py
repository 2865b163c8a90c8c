"""eventsourcing's PostgreSQL factory, with a connection pool that pings only idle connections.

eventsourcing's `POSTGRES_PRE_PING` makes the pool send a round trip (`check_connection`) before
every checkout. Every service needs the check: after PostgreSQL restarts, each pooled
connection is dead, and without it each one fails its next caller once. But under load a
connection goes back to work within milliseconds, and the ping then cost a fifth of
sla-timer's time in the outage-day surge.

`IdlePing` pings a connection only when it was last handed out at least `after` seconds ago
(`PING_AFTER_IDLE`, 1 s). Connections that sat idle across a restart are found and replaced.
A connection used within the last second before a quick restart (the fault test's takes 0.3 s),
or one in use during it, fails its next statement once, as every connection did without
pre-ping, and the pool discards it: the recorders retry their statements on
`OperationalError` (eventsourcing's retry), intake answers `451`/`503` so senders retry, and a
consumer's batch is delivered again and skipped where it was applied. The fault test's
PostgreSQL restart keeps its exact counts this way.

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
