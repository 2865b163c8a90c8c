"""Intake's submission log and long descriptions on the real PostgreSQL: a resent Message-ID
(or an HTTP request's Idempotency-Key) opens one ticket across restarts and racing replicas, the
rate limits count committed rows, a description over 64 KiB comes back whole, and the log can be
rebuilt from the event log."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from hotline.calendar import SupportCalendar
from hotline.clock import FixedClock
from hotline.eventstore import ensure_schema, postgres_env
from hotline.directory import load_directory
from hotline_intake import DEMO_DIRECTORY_PATH
from hotline_intake.adapters.ticket_numbers import PostgresTicketNumbers
from hotline_intake.admission import SubmissionLimits
from hotline_intake.application import IntakeApplication
from hotline_intake.submissions import Duplicate, Opened, Rejected, Replayed, Submissions
from intake_fakes import ACME_NOC, blind_first_look, email, published

pytestmark = pytest.mark.integration
START = datetime(2026, 11, 18, 18, 0, tzinfo=timezone.utc)


def intake(database_url: str, schema: str, clock: FixedClock, **options) -> Submissions:
    """An intake instance on `schema` (a second call is a restart, or a second replica)."""
    ensure_schema(database_url, schema)
    app = IntakeApplication(env=postgres_env(database_url, schema),
                            numbers=PostgresTicketNumbers(database_url, schema),
                            calendar=SupportCalendar(), clock=clock)
    return Submissions(app, load_directory(DEMO_DIRECTORY_PATH), 1024 * 1024, **options)


async def start(infra, schema, clock=None, **options) -> Submissions:
    return await asyncio.to_thread(intake, infra.database_url, schema, clock or FixedClock(START),
                                   **options)


def opened_count(submissions: Submissions) -> int:
    return [e.type for e in published(submissions.app)].count("hotline.ticket.opened.v1")


async def test_a_resent_message_id_after_a_restart_is_a_duplicate(infra, schema):
    first = await start(infra, schema)
    opened = await first.receive_email(email(), ACME_NOC)
    restarted = await start(infra, schema)  # the 250 was lost; the client sends it again
    again = await restarted.receive_email(email(), ACME_NOC)
    assert isinstance(opened, Opened) and isinstance(again, Duplicate)
    assert again.original.ticket_number == opened.ticket.number
    assert opened_count(restarted) == 1


async def test_racing_replicas_open_one_ticket(infra, schema):
    replicas = [await start(infra, schema) for _ in range(2)]
    for replica in replicas:
        blind_first_look(replica.app)
    outcomes = await asyncio.gather(*(r.receive_email(email(), ACME_NOC) for r in replicas))
    assert sorted(type(o).__name__ for o in outcomes) == ["Duplicate", "Opened"]
    assert opened_count(replicas[0]) == 1


async def test_many_concurrent_deliveries_of_one_email_open_one_ticket(infra, schema):
    submissions = await start(infra, schema)
    outcomes = await asyncio.gather(*(submissions.receive_email(email(), ACME_NOC) for _ in range(6)))
    assert [type(o).__name__ for o in outcomes].count("Opened") == 1
    assert opened_count(submissions) == 1


async def test_an_idempotency_key_opens_one_ticket_across_racing_replicas_and_a_rebuild(infra, schema):
    request = dict(customer="Acme Corp", location="100 Main St, Springfield", issue="Echo",
                   description="Echo on calls.", priority=2, contact=ACME_NOC,
                   actor={"name": "ci-bot", "role": "agent"}, idempotency_key="k-1")
    replicas = [await start(infra, schema) for _ in range(2)]
    for replica in replicas:
        blind_first_look(replica.app)
    outcomes = await asyncio.gather(*(r.receive_request(**request) for r in replicas))
    assert sorted(type(o).__name__ for o in outcomes) == ["Opened", "Replayed"]
    assert len({o.ticket.number for o in outcomes}) == 1
    await asyncio.to_thread(replicas[0].app.rebuild_submission_log)
    again = await replicas[1].receive_request(**request)
    assert isinstance(again, Replayed) and again.ticket.number == outcomes[0].ticket.number
    assert opened_count(replicas[0]) == 1


async def test_rate_limits_count_committed_submissions(infra, schema):
    limits = SubmissionLimits(replies_per_hour=2, tickets_per_customer_per_hour=1)
    submissions = await start(infra, schema, limits=limits)
    replies = [(await submissions.receive_email(email(subject="help", message_id=f"<h{i}@x>"),
                                                ACME_NOC)).reply for i in range(3)]
    assert replies == [True, True, False]
    assert isinstance(await submissions.receive_email(email(message_id="<t1@x>"), ACME_NOC), Opened)
    limited = await submissions.receive_email(email(message_id="<t2@x>"), ACME_NOC)
    assert isinstance(limited, Rejected) and limited.reason == "rate_limited"
    assert limited.reply is False  # its reply would have been the third this hour


async def test_a_long_description_comes_back_whole_after_a_restart(infra, schema):
    submissions = await start(infra, schema)
    body = "Ω traceroute hop 1 2 3\n" * 5000  # ~ 125 KiB
    opened = await submissions.receive_email(email(body=body), ACME_NOC)
    restarted = await start(infra, schema)
    full = await asyncio.to_thread(restarted.app.full_description, opened.ticket.number)
    assert full == body.strip()
    assert restarted.app.get_ticket(opened.ticket.number).description_truncated


async def test_a_key_past_the_window_gives_way_and_old_rows_are_purged(infra, schema):
    clock = FixedClock(START)
    submissions = await start(infra, schema, clock)
    await submissions.receive_email(email(), ACME_NOC)
    await submissions.receive_email(email(subject="help", message_id="<other@x>"), ACME_NOC)
    clock.set(START + timedelta(days=7, seconds=1))
    assert isinstance(await submissions.receive_email(email(), ACME_NOC), Opened)
    assert await asyncio.to_thread(submissions.app.rebuild_submission_log) == 1  # the new one


async def test_the_submission_log_is_rebuilt_from_the_event_log(infra, schema):
    submissions = await start(infra, schema)
    opened = await submissions.receive_email(email(), ACME_NOC)
    await submissions.receive_email(email(subject="help", message_id="<2@x>"), ACME_NOC)
    await submissions.receive_email(email(Precedence="bulk", message_id="<3@x>"), ACME_NOC)
    await asyncio.to_thread(submissions.app.recorder.replace_submissions, [])
    assert isinstance(await submissions.receive_email(email(message_id="<4@x>"), ACME_NOC), Opened)
    assert await asyncio.to_thread(submissions.app.rebuild_submission_log) == 4
    again = await submissions.receive_email(email(), ACME_NOC)
    assert isinstance(again, Duplicate) and again.original.ticket_number == opened.ticket.number
    assert submissions.app.replies_in_window(ACME_NOC) == 1
    assert submissions.app.tickets_in_window("Acme Corp") == 2


async def test_nul_characters_anywhere_are_stored_not_refused_by_postgresql(infra, schema):
    submissions = await start(infra, schema)
    body = "line\x00with a NUL\n" * 5000  # over 64 KiB: kept in intake's own table
    opened = await submissions.receive_email(email(body=body), ACME_NOC)
    assert submissions.app.full_description(opened.ticket.number) == body.strip()
    forged = email(sender='"a\x00b"@acme.example', message_id="<nul-sender@x>")
    assert isinstance(await submissions.receive_email(forged, "x\x00y@acme.example"), Rejected)
    garbage = b"From: \x00\r\nMessage-ID: <\x00>\r\n\r\n\x00"
    assert isinstance(await submissions.receive_email(garbage, "\x00"), Rejected)


async def test_rows_past_the_window_are_purged_at_most_once_a_second(infra, schema, monkeypatch):
    """The purge rides on a save at most every PURGE_EVERY seconds (by the process's monotonic
    clock), and then removes what lies past the window."""
    import hotline_intake.submission_records as records

    ticks = iter([1000.0, 1000.5, 1001.5])  # first save, then 0.5 s, 1.5 s after it
    monkeypatch.setattr(records, "monotonic", lambda: next(ticks))
    clock = FixedClock(START)
    submissions = await start(infra, schema, clock)
    table = f'"{schema}".intake_submissions'

    def rows() -> int:
        with psycopg.connect(infra.database_url) as conn:
            return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    await submissions.receive_email(email(message_id="<old@x>"), ACME_NOC)  # purges (nothing)
    clock.set(START + timedelta(days=7, minutes=1))
    await submissions.receive_email(email(message_id="<new-1@x>"), ACME_NOC)  # 0.5 s later
    assert await asyncio.to_thread(rows) == 2, "no purge within the second"
    await submissions.receive_email(email(message_id="<new-2@x>"), ACME_NOC)  # 1.5 s later
    assert await asyncio.to_thread(rows) == 2, "the old row was purged with this save"
