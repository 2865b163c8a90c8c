"""The look-ups run for every batch or every insert read indexes, not whole tables, on real
PostgreSQL with thousands of rows and no statistics yet (a table that grew in a surge before
autovacuum analysed it). Each statement is caught as the application runs it, then run again
under EXPLAIN ANALYZE (rolled back): no sequential scan of the growing table may execute.
Before, the planner read the whole tracking table for every batch (`processed`), the whole
events table (`existing`), the whole submission log twice for every email (the purge), and
every pending timer several times a second (sla-timer's any-due check)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import Tracking

from hotline.calendar import SupportCalendar
from hotline.clock import FixedClock
from hotline.eventstore import ensure_schema, postgres_env
from hotline_intake.adapters.ticket_numbers import InMemoryTicketNumbers
from hotline_intake import submission_records
from hotline_intake.application import IntakeApplication
from hotline_sla_timer.application import SlaTimerApplication

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "billing"))
from billing_fakes import make_app as billing_app  # noqa: E402

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 16, 18, 0, tzinfo=timezone.utc)
ROWS = 20_000


@contextmanager
def caught(fragment: str):
    """Every statement containing `fragment` that psycopg executes meanwhile, with its params."""
    found: list[tuple[str, object]] = []
    execute = psycopg.Cursor.execute

    def recording(self, query, params=None, **kwargs):
        text = query.as_string(self) if hasattr(query, "as_string") else str(query)
        if fragment in text:
            found.append((text, params))
        return execute(self, query, params, **kwargs)

    psycopg.Cursor.execute = recording
    try:
        yield found
    finally:
        psycopg.Cursor.execute = execute


def executed_scans(url: str, statement: tuple[str, object], table: str) -> list[str]:
    """The plan lines of sequential scans on `table` that ran (EXPLAIN ANALYZE, rolled back)."""
    text, params = statement
    with psycopg.connect(url) as conn:
        plan = [r[0] for r in conn.execute("EXPLAIN ANALYZE " + text, params).fetchall()]
        conn.rollback()
    return [line for line in plan if f"Seq Scan on {table}" in line and "never executed" not in line]


def fill(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


def test_positions_and_aggregates_applied_before_are_probed_by_index(infra, schema):
    ensure_schema(infra.database_url, schema)
    app = billing_app(postgres_env(infra.database_url, schema))
    try:
        tracking, events = app.recorder.tracking_table_name, app.recorder.events_table_name
        fill(infra.database_url, f'INSERT INTO "{schema}".{tracking} SELECT \'intake\', n '
                                 f"FROM generate_series(1, {ROWS}) AS n")
        fill(infra.database_url, f'INSERT INTO "{schema}".{events} (originator_id, originator_version, '
                                 f"topic, state) SELECT gen_random_uuid(), 1, 'x', '\\x00' "
                                 f"FROM generate_series(1, {ROWS})")
        asked = [Tracking("intake", n) for n in range(ROWS - 20, ROWS + 30)]
        with caught(tracking) as statements:
            assert app.processed(asked) == {t for t in asked if t.notification_id <= ROWS}
        assert executed_scans(infra.database_url, statements[-1], tracking) == []
        ids = [uuid4() for _ in range(50)]
        with caught(events) as statements:
            assert app.existing(ids) == set()
        assert executed_scans(infra.database_url, statements[-1], events) == []
    finally:
        app.close()


def test_the_submission_log_purge_reads_the_age_index_when_nothing_is_old(infra, schema, monkeypatch):
    monkeypatch.setattr(submission_records, "PURGE_EVERY", 0.0)  # with every save, as it once ran
    ensure_schema(infra.database_url, schema)
    app = IntakeApplication(env=postgres_env(infra.database_url, schema), numbers=InMemoryTicketNumbers(),
                            calendar=SupportCalendar(), clock=FixedClock(NOW))
    try:
        table = "intake_submissions"
        fill(infra.database_url, f'INSERT INTO "{schema}".{table} (submission_id, outcome, received_at) '
                                 f"SELECT gen_random_uuid(), 'ticket', now() - interval '1 minute' * n "
                                 f"FROM generate_series(1, {ROWS}) AS n")
        with caught("DELETE FROM") as statements:
            app.open_ticket(customer="Acme Corp", location="100 Main St", issue="Plans",
                            description="d", priority=2, priority_defaulted=False, channel="email",
                            contact="noc@acme.example")
        purge = [s for s in statements if "min(received_at)" in s[0]]
        assert purge, "the purge ran with the insert"
        assert executed_scans(infra.database_url, purge[-1], table) == []
    finally:
        app.close()


def test_sla_timer_asks_whether_anything_is_due_with_one_index_probe(infra, schema):
    ensure_schema(infra.database_url, schema)
    app = SlaTimerApplication(env=postgres_env(infra.database_url, schema), clock=FixedClock(NOW))
    try:
        table = app.recorder.due_table_name
        fill(infra.database_url, f'INSERT INTO "{schema}".{table} (ticket_id, clock, threshold, kind, '
                                 "due_at, clock_version, ticket_number, priority, policy_version, "
                                 "calendar_version) SELECT gen_random_uuid(), 'response', 50, 'approaching', "
                                 f"'{NOW.isoformat()}'::timestamptz + interval '1 minute' * n, 1, 'T-1', 2, "
                                 f"'p', 'c' FROM generate_series(1, {ROWS}) AS n")
        with caught(table) as statements:
            assert app.anything_due() is False
            app.clock.set(NOW + timedelta(minutes=2))
            assert app.anything_due() is True
        assert all(executed_scans(infra.database_url, s, table) == [] for s in statements)
    finally:
        app.close()
