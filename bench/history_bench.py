"""`hotline history` latency for a ticket with 500 events: intake's part, in process (no HTTP).

An `IntakeApplication` on real PostgreSQL (a fresh schema, dropped at the end) opens one ticket
and records 499 more events on it: agent replies, one minute apart, with a priority change every
50th. Then, 20 runs each:

1. raw: the 500 rows selected by the ticket's id (psycopg, `fetchall`, nothing decoded): the
   floor any history has to pay;
2. history: `hotline_intake.history.part` (events read and decoded, an entry with its one-line
   summary each, the review's events) and the answer's JSON encoding, as the HTTP route serves it;
3. as-of: the same at an instant halfway through, with the ticket rebuilt from the first 250
   events and rendered as `TicketView` (`state`).

Printed: p50 / p99 / max in ms (p99 of 20 runs is nearly the max), against the goal of 200 ms.
The other services' parts are fetched concurrently with intake's over HTTP, each from an
aggregate or two of its own, so intake's part with the most events bounds the whole. Timings are
printed, never asserted.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench.notifier_bench import database, drop_schema  # noqa: E402
from hotline.calendar import SupportCalendar  # noqa: E402
from hotline.clock import FixedClock  # noqa: E402
from hotline.contracts import ticket_id_for  # noqa: E402
from hotline.eventstore import ensure_schema, postgres_env  # noqa: E402
from hotline_intake.adapters.ticket_numbers import InMemoryTicketNumbers  # noqa: E402
from hotline_intake.application import IntakeApplication  # noqa: E402
from hotline_intake.history import part  # noqa: E402

SCHEMA = "bench_history"
EVENTS = 500
RUNS = 20
GOAL_MS = 200.0
T0 = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)  # Monday 09:00 Pacific


def scripted_ticket(app: IntakeApplication, clock: FixedClock) -> str:
    ticket = app.open_ticket(
        customer="Acme Corp", location="100 Main St, Springfield", issue="Echo on every call",
        description="Since Monday every call echoes. " * 20, priority=3, priority_defaulted=False,
        channel="http", contact="noc@acme.example")
    priority = 3
    for n in range(1, EVENTS):
        clock.advance(timedelta(minutes=1))
        if n % 50 == 0:
            priority = 2 if priority == 3 else 3
            app.change_ticket(ticket.number, "priority", priority=priority, by="alice@hotline.example")
        else:
            app.reply(ticket.number, message=f"Update {n}: still tracing the echo on trunk group "
                      f"{n % 7}; next check in an hour.", by="alice@hotline.example")
    return ticket.number


def timed(work) -> list[float]:
    took = []
    for _ in range(RUNS):
        start = time.perf_counter()
        work()
        took.append((time.perf_counter() - start) * 1000)
    return took


def report(label: str, took: list[float]) -> None:
    ordered = sorted(took)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    verdict = "within" if p99 < GOAL_MS else "OVER"
    print(f"  {label:<34} p50 {statistics.median(took):7.1f} ms   p99 {p99:7.1f} ms   "
          f"max {ordered[-1]:7.1f} ms   ({verdict} the {GOAL_MS:.0f} ms goal)", flush=True)


async def run() -> None:
    async with database() as url:
        await asyncio.to_thread(drop_schema, url, SCHEMA)
        await asyncio.to_thread(ensure_schema, url, SCHEMA)
        clock = FixedClock(T0)
        app = IntakeApplication(env=postgres_env(url, SCHEMA), numbers=InMemoryTicketNumbers(),
                                calendar=SupportCalendar(), clock=clock)
        try:
            await asyncio.to_thread(measure, app, clock, url)
        finally:
            app.close()
            await asyncio.to_thread(drop_schema, url, SCHEMA)


def measure(app: IntakeApplication, clock: FixedClock, url: str) -> None:
    started = time.perf_counter()
    number = scripted_ticket(app, clock)
    print(f"  ticket {number}: {EVENTS} events recorded in {time.perf_counter() - started:.1f} s",
          flush=True)
    ticket_id = ticket_id_for(number)
    select = sql.SQL("SELECT * FROM {}.{} WHERE originator_id = %s ORDER BY originator_version"
                     ).format(sql.Identifier(SCHEMA), sql.Identifier("intake_events"))
    with psycopg.connect(url) as conn:
        rows = conn.execute(select, (ticket_id,)).fetchall()
        assert len(rows) == EVENTS, len(rows)
        report("raw select of the 500 rows", timed(lambda: conn.execute(select, (ticket_id,)).fetchall()))
    whole = part(app, number)
    print(f"  history: {len(whole['entries'])} entries, {len(json.dumps(whole)) / 1024:.0f} KiB of JSON",
          flush=True)
    report("history (intake's part + JSON)", timed(lambda: json.dumps(part(app, number))))
    halfway = T0 + timedelta(minutes=EVENTS // 2)
    then = part(app, number, halfway)
    print(f"  as of {halfway.isoformat()}: {len(then['entries'])} entries, ticket rebuilt at "
          f"version {len(then['entries'])}", flush=True)
    report("as-of halfway (+ state + JSON)", timed(lambda: json.dumps(part(app, number, halfway))))


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
