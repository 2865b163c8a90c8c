"""Replaying sla-timer's event store: how fast its state is rebuilt from stored events, next to
the raw read rate of the same events from PostgreSQL, in the same run.

1. Seed: `SEED` tickets' clocks opened and first-responded through the real application
   (`open_clocks` + `apply_changes`, saved with their due timers) in a fresh schema; then the
   stored rows copied under new aggregate ids (one INSERT … SELECT) until the log holds
   `EVENTS` events (default 1,000,000; `HOTLINE_BENCH_REPLAY_EVENTS`).
2. Raw read: every stored event, in log order, through the recorder's `select_notifications`
   (pages of 10,000): events per second.
3. Replay: the same events through `hotline.replay` (the next page read while this one is
   decoded), each decoded by the application's mapper and applied to its `TicketClocks`, as
   `rebuild_due_index` (`hotline rebuild sla-timer`) does first: events per second, and the
   ratio to the raw read (goal ≥ 50 %).
4. The due-index view computed from replayed aggregates (the policy evaluated per ticket), on
   a sample: tickets per second (printed, no goal).
Timings are printed, never asserted.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hotline import contracts  # noqa: E402
from hotline.clock import FixedClock  # noqa: E402
from hotline.eventstore import ensure_schema, postgres_env  # noqa: E402
from hotline_sla_timer.adapters.due_index import DueTimers  # noqa: E402
from hotline_sla_timer.application import SlaTimerApplication  # noqa: E402
from hotline_sla_timer.domain import deadlines  # noqa: E402
from hotline_sla_timer.domain.changes import change_from_contract  # noqa: E402
from hotline_sla_timer.domain.clocks import TicketClocks  # noqa: E402
from hotline.replay import fold, replay, topic_prefix  # noqa: E402

UTC = timezone.utc
T0 = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)  # Monday 09:00 Pacific
SEED = 5_000  # tickets through the application: 2 events each
EVENTS = int(os.environ.get("HOTLINE_BENCH_REPLAY_EVENTS", "1000000"))
PAGE = 10_000
GOAL = 0.5
VIEW_SAMPLE = 5_000


def seed(app: SlaTimerApplication) -> None:
    for start in range(0, SEED, 500):
        clocks, pending = [], []
        for i in range(start, min(SEED, start + 500)):
            number = f"T-7{i:07d}"
            opened = contracts.TicketOpened(
                ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer="Acme Corp",
                location="100 Main St", issue="bench", description="d", priority=2 + i % 2,
                channel="http", contact="noc@acme.example", received_at=T0, off_hours=False)
            aggregate, _ = deadlines.open_clocks(opened, app.policy, T0)
            responded = change_from_contract(contracts.FirstResponseGiven(
                ticket_id=opened.ticket_id, ticket_number=number, at=T0 + timedelta(minutes=30)), True)
            timers = deadlines.apply_changes(aggregate, [responded], app.policy, T0 + timedelta(hours=1))
            clocks.append(aggregate)
            pending += timers
        app.save(*clocks, timers=DueTimers([c.id for c in clocks], pending))


def multiply(url: str, schema: str, table: str) -> int:
    """Copy the seeded rows under new aggregate ids until the log holds about EVENTS events."""
    with psycopg.connect(url, autocommit=True) as conn:
        [[seeded]] = conn.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table))).fetchall()
        copies = max(0, EVENTS // seeded - 1)
        conn.execute(sql.SQL(
            "INSERT INTO {s}.{t} (originator_id, originator_version, topic, state) "
            "SELECT md5(e.originator_id::text || k)::uuid, e.originator_version, e.topic, e.state "
            "FROM {s}.{t} e CROSS JOIN generate_series(1, %s) k ORDER BY k, e.notification_id"
        ).format(s=sql.Identifier(schema), t=sql.Identifier(table)), (copies,))
        [[total]] = conn.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table))).fetchall()
    return total


def raw_read(app: SlaTimerApplication) -> tuple[int, float]:
    began, count, start = time.perf_counter(), 0, 1
    while page := app.recorder.select_notifications(start, PAGE):
        count += len(page)
        start = page[-1].id + 1
    return count, time.perf_counter() - began


def replayed(app: SlaTimerApplication) -> tuple[int, float, dict]:
    """What `rebuild_due_index` does first: every TicketClocks event replayed (`hotline.replay`:
    the next page read while this one is decoded) and folded into its aggregate."""
    counted = 0

    def counting(events):
        nonlocal counted
        for event in events:
            counted += 1
            yield event

    began = time.perf_counter()
    aggregates = fold(counting(replay(app, topic_prefixes=(topic_prefix(TicketClocks),))))
    return counted, time.perf_counter() - began, aggregates


def views(app: SlaTimerApplication, aggregates: dict) -> tuple[int, float]:
    sample = list(aggregates.values())[:VIEW_SAMPLE]
    began = time.perf_counter()
    for clocks in sample:
        deadlines.pending_timers(clocks, app.policy_for(clocks), T0 + timedelta(hours=1))
    return len(sample), time.perf_counter() - began


def run(url: str) -> None:
    schema = f"bench_replay_{uuid4().hex[:8]}"
    ensure_schema(url, schema)
    app = SlaTimerApplication(env=postgres_env(url, schema), clock=FixedClock(T0))
    try:
        began = time.perf_counter()
        seed(app)
        total = multiply(url, schema, "sla_timer_events")
        print(f"replay: {total:,} events stored ({SEED:,} tickets' clocks through the application, "
              f"copied under new ids) in {time.perf_counter() - began:.0f} s", flush=True)
        raw_count, raw_seconds = raw_read(app)
        raw = raw_count / raw_seconds
        print(f"replay: raw read of {raw_count:,} events (select_notifications, pages of {PAGE:,}): "
              f"{raw:,.0f} events/s", flush=True)
        count, seconds, aggregates = replayed(app)
        rate = count / seconds
        print(f"replay: {count:,} events decoded and applied to {len(aggregates):,} TicketClocks: "
              f"{rate:,.0f} events/s; replay / raw read {rate / raw:.2f} (goal ≥ {GOAL:.0%}: "
              f"{'met' if rate >= GOAL * raw else 'NOT met'})", flush=True)
        tickets, seconds = views(app, aggregates)
        print(f"replay: due-index view from replayed clocks (policy evaluated per ticket): "
              f"{tickets / seconds:,.0f} tickets/s on a sample of {tickets:,}", flush=True)
    finally:
        app.close()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def main() -> None:
    import asyncio

    from bench.notifier_bench import database

    async def go() -> None:
        async with database() as url:
            await asyncio.to_thread(run, url)

    asyncio.run(go())


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
