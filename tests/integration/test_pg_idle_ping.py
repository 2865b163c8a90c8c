"""The event store's pool pings a connection only when it sat idle (`hotline.pg_factory`), on
real PostgreSQL: connections in steady use are handed out without a round trip, and one whose
server session died while it sat idle is found by the ping and replaced, so its next caller
never sees the dead session. Without the ping that caller fails (the case the ping exists for)."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import psycopg
import pytest
from eventsourcing.persistence import OperationalError

from hotline.calendar import SupportCalendar
from hotline.clock import FixedClock
from hotline.eventstore import ensure_schema, postgres_env
from hotline.pg_factory import Factory, IdlePing
from hotline_intake.adapters.ticket_numbers import InMemoryTicketNumbers
from hotline_intake.application import IntakeApplication

pytestmark = pytest.mark.integration


def app_on(infra, schema: str, **env: str) -> IntakeApplication:
    ensure_schema(infra.database_url, schema)
    return IntakeApplication(env={**postgres_env(infra.database_url, schema), "POSTGRES_POOL_SIZE": "1",
                                  "POSTGRES_MAX_OVERFLOW": "0", **env},
                             numbers=InMemoryTicketNumbers(), calendar=SupportCalendar(),
                             clock=FixedClock(datetime(2026, 12, 16, 18, tzinfo=timezone.utc)))


def backend_pid(app: IntakeApplication) -> int:
    with app.factory.datastore.get_connection() as conn:
        return conn.execute("SELECT pg_backend_pid() AS pid").fetchone()["pid"]


def terminate(infra, pid: int) -> None:
    with psycopg.connect(infra.database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_connections_in_steady_use_are_not_pinged(infra, schema):
    app = app_on(infra, schema)
    try:
        assert isinstance(app.factory, Factory)
        ping = app.factory.datastore.pool._check
        assert isinstance(ping, IdlePing)
        for _ in range(20):
            backend_pid(app)
        assert ping.pings == 1  # the connection's first hand-out only
    finally:
        app.close()


def test_a_connection_whose_session_died_while_idle_is_replaced_before_use(infra, schema):
    app = app_on(infra, schema)
    try:
        ping = app.factory.datastore.pool._check
        ping.after = 0.2
        first = backend_pid(app)
        terminate(infra, first)  # as a PostgreSQL restart does to every pooled connection
        time.sleep(0.3)
        assert backend_pid(app) != first  # no error: pinged, found dead, replaced
        assert ping.pings >= 2
    finally:
        app.close()


def test_without_the_ping_the_next_caller_meets_the_dead_session(infra, schema):
    app = app_on(infra, schema, POSTGRES_PRE_PING="n")
    try:
        assert app.factory.datastore.pool._check is None
        terminate(infra, backend_pid(app))
        time.sleep(0.3)
        with pytest.raises(OperationalError):  # eventsourcing's, for psycopg's
            backend_pid(app)
    finally:
        app.close()
