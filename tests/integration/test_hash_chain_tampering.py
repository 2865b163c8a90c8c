"""Tamper evidence on the real PostgreSQL: events saved through real application recorders are
chained; a stored event edited, deleted or swapped directly in PostgreSQL is named by
`verify_service`; events stored before the chain existed are counted; sla-timer's firing and
intake's recorder chain what they insert."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event

from hotline.calendar import SupportCalendar
from hotline.audit.verify import Report, verify_service
from hotline.clock import FixedClock
from hotline.eventstore import ensure_schema, postgres_env
from hotline.processing import TrackedApplication
from hotline_intake.adapters.ticket_numbers import PostgresTicketNumbers
from hotline_intake.application import IntakeApplication

pytestmark = pytest.mark.integration


class Note(Aggregate):
    @event("Written")
    def __init__(self, text: str) -> None:
        self.text = text

    @event("Edited")
    def edit(self, text: str) -> None:
        self.text = text


class Audited(TrackedApplication):
    name = "audited"


def audited(url: str, schema: str) -> Audited:
    ensure_schema(url, schema)
    app = Audited(env=postgres_env(url, schema))
    for batch in range(4):  # several insert transactions, two aggregates each
        notes = [Note(f"note {batch}.{i}") for i in range(2)]
        for note in notes:
            note.edit(f"edited {batch}")
        app.save(*notes)
    return app


def check(url: str, schema: str, prefix: str = "audited", anchors=()) -> Report:
    with psycopg.connect(url) as conn:
        return verify_service(conn, prefix, anchors, schema=schema, prefix=prefix)


def sql(url: str, *statements: str) -> None:
    with psycopg.connect(url) as conn:
        for statement in statements:
            conn.execute(statement)


async def test_an_edited_deleted_or_swapped_event_is_named(infra, schema):
    url = infra.database_url
    await asyncio.to_thread(audited, url, schema)
    events = f"{schema}.audited_events"
    report = check(url, schema)
    assert report.intact and report.walk.chained == 16, report.line()

    sql(url, f"UPDATE {events} SET state = state || '\\x20'::bytea WHERE notification_id = 7")
    report = check(url, schema)
    assert not report.intact and report.walk.broken.kind == "altered"
    assert report.line().startswith("audited: event 7 (originator ") and report.line().endswith("altered")
    sql(url, f"UPDATE {events} SET state = substring(state from 1 for length(state) - 1) "
             "WHERE notification_id = 7")
    assert check(url, schema).intact

    sql(url, f"CREATE TABLE {schema}.kept AS SELECT * FROM {events} WHERE notification_id = 9",
        f"DELETE FROM {events} WHERE notification_id = 9")
    assert check(url, schema).line() == "audited: event 9 deleted (its chain row remains)"
    sql(url, f"INSERT INTO {events} SELECT * FROM {schema}.kept")
    assert check(url, schema).intact

    swap = [f"UPDATE {events} SET notification_id = -1 WHERE notification_id = 4",
            f"UPDATE {events} SET notification_id = 4 WHERE notification_id = 5",
            f"UPDATE {events} SET notification_id = 5 WHERE notification_id = -1"]
    sql(url, *swap)
    report = check(url, schema)
    assert report.walk.broken.kind == "reordered" and report.walk.broken.notification_id == 4
    assert "reordered: the chain has it as event 5" in report.line()
    sql(url, *swap)
    assert check(url, schema).intact

    sql(url, f"DELETE FROM {events} WHERE notification_id = 11",
        f"DELETE FROM {schema}.audited_chain WHERE notification_id = 11")
    assert check(url, schema).line().startswith("audited: event 11 deleted (with its chain row")


async def test_events_stored_before_the_chain_existed_are_counted_and_later_ones_chained(infra, schema):
    url = infra.database_url
    app = await asyncio.to_thread(audited, url, schema)
    app.close()
    sql(url, f"DROP TABLE {schema}.audited_chain")  # as before this release
    await asyncio.to_thread(audited, url, schema)  # the restart creates the chain, then saves
    report = check(url, schema)
    assert report.intact and (report.walk.unchained, report.walk.chained) == (16, 16)
    assert report.walk.start == 16 and "16 stored before the chain began" in report.line()
    sql(url, f"DELETE FROM {schema}.audited_chain WHERE notification_id = 16")  # its start
    assert check(url, schema).walk.broken.kind == "start-deleted"


def _sla_timer_fires(url: str, schema: str) -> int:
    from hotline_sla_timer.application import SlaTimerApplication
    from test_sla_timer_due_index import MONDAY_9, opened

    ensure_schema(url, schema)
    clock = FixedClock(MONDAY_9)
    app = SlaTimerApplication(env=postgres_env(url, schema), clock=clock)
    for n in range(3):
        app.take(opened(f"T-{uuid4().int % 10**8:08d}", priority=1))
    clock.set(MONDAY_9 + timedelta(hours=5))
    return app.fire_due(1000)


async def test_sla_timer_firing_and_intake_chain_what_they_insert(infra, schema):
    url = infra.database_url
    assert await asyncio.to_thread(_sla_timer_fires, url, schema) > 0
    report = check(url, schema, "sla_timer")
    assert report.intact, report.line()
    with psycopg.connect(url) as conn:
        count = conn.execute(f"SELECT count(*) FROM {schema}.sla_timer_events").fetchone()[0]
    assert report.walk.chained == count

    intake_schema = schema + "_in"
    ensure_schema(url, intake_schema)
    await asyncio.to_thread(lambda: IntakeApplication(
        env=postgres_env(url, intake_schema), calendar=SupportCalendar(),
        numbers=PostgresTicketNumbers(url, intake_schema),
        clock=FixedClock(datetime(2026, 11, 18, tzinfo=timezone.utc))))
    report = check(url, intake_schema, "intake")
    assert report.intact and report.walk.chained >= 1, report.line()
