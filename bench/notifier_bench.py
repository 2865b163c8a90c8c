"""notifier's email delivery path against a raw aiosmtplib send loop, on the same local SMTP sink.

The sink: an aiosmtpd `Controller` on 127.0.0.1 (a free port), in this process, whose handler
only notes when each message arrived. The notifier: a `NotifierApplication` on real PostgreSQL
(a fresh schema, dropped at the end) and the real `Dispatcher` (single-writer lock, delivery
index claims, `SmtpSender` with kept connections, a `Sent` event per email), at
`NotifierSettings.concurrency` (8) deliveries in flight.

1. Raw baselines: 2,000 messages of the notifier's own wire format and size, composed
   beforehand, (a) sent by `concurrency` workers on one kept aiosmtplib connection each (connect
   included): the fastest raw sender, and (b) a plain send loop, `aiosmtplib.send` per message,
   one after another (a connection each). The notifier's rate is printed against both.
2. Backlog: 2,000 `Notification`s saved in batches of 100 while no dispatcher runs; then the
   dispatcher starts. Delivery rate = 2,000 / (last `Sent` recorded − dispatcher started), the
   figure compared with the raw rate (goal: ≥ 50 %). End-to-end = 2,000 / (last `Sent`
   recorded − first save began).
   Latency per notification, requested (its `created_on`) → Sent (its `Sent` event's
   timestamp, the delivery index's `updated_at`): p50 / p99 / max, mostly the wait behind the
   backlog.
3. Paced: the dispatcher running and idle, 500 more requested at 50 per second (batches of 5
   every 0.1 s, below its rate): the same latency, and requested → arrival at the sink (the
   Message-ID `<[T-000001.]id@hotline.notifier>` names the notification), without a queue to wait in.
"Recorded" is when the dispatcher's `sent` counter (incremented after the `Sent` transaction
commits) reaches the count, polled every 5 ms. Timings are printed, never asserted; a phase that
has not finished in time (backlog 25 s, paced 5 s after the last request) reports what it got.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import UUID, uuid4

import aiosmtplib
import asyncpg
import psycopg
from aiosmtpd.controller import Controller
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hotline.clock import SystemClock  # noqa: E402
from hotline.devstack import postgres as pg  # noqa: E402
from hotline.devstack.ports import HOST, free_port  # noqa: E402
from hotline.eventstore import ensure_schema, postgres_env  # noqa: E402
from hotline.log_positions import LogPositions  # noqa: E402
from hotline_notifier.adapters.smtp import SmtpSender, wire_bytes  # noqa: E402
from hotline_notifier.application import NotifierApplication  # noqa: E402
from hotline_notifier.delivery.dispatcher import Dispatcher  # noqa: E402
from hotline_notifier.delivery.relay_watch import RelayWatch  # noqa: E402
from hotline_notifier.domain.notification import Notification  # noqa: E402
from hotline_notifier.settings import NotifierSettings  # noqa: E402

COUNT = 2_000
BATCH = 100
CONCURRENCY = NotifierSettings.model_fields["concurrency"].default  # 8
FROM = "Hotline Support <support@hotline.example>"
SENDER = "support@hotline.example"  # FROM's address: the envelope sender
RECIPIENT = "noc@acme.example"
GOAL = 0.5  # notifier ≥ 50 % of the raw rate
PACED, PACED_BATCH, PACED_EVERY = 500, 5, 0.1  # 50 requested per second
BACKLOG_TIMEOUT, PACED_TIMEOUT = 25.0, 5.0  # a slow run still ends (and reports what it got)
BODY = ("Hello,\n\nWe have received your request and opened ticket {n}. An engineer will contact "
        "you within the response time of your contract. Reply to this email to add information "
        "to the ticket; please keep the ticket number in the subject.\n\n"
        "Customer: Acme Corp\nLocation: 100 Main St, Springfield\nPriority: 2\n"
        "Issue: circuit down\n\n" + "Details of the report as we received them. " * 12 +
        "\n\nHotline Support\n")
MESSAGE_ID = re.compile(rb"Message-ID: <(?:T-\d{6,}\.)?([0-9a-f-]{36})@hotline\.notifier>", re.IGNORECASE)


class Sink:
    """SMTP sink handler: notes each message's arrival (wall clock) and keeps its bytes; parsed
    only afterwards, so the sink costs the two senders the same, and little."""

    def __init__(self) -> None:
        self.received: list[tuple[float, bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        with self.lock:
            self.received.append((time.time(), envelope.original_content))
        return "250 OK"

    def take(self) -> list[tuple[float, bytes]]:
        with self.lock:
            received, self.received = self.received, []
        return received


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def spread(values: list[float]) -> str:
    if not values:
        return "none"
    return (f"p50 {percentile(values, 50) * 1000:,.0f} ms, p99 {percentile(values, 99) * 1000:,.0f} ms, "
            f"max {max(values) * 1000:,.0f} ms")


def owed(tag: str, start: int, stop: int) -> list[Notification]:
    """Confirmation emails, each to the same contact about its own ticket (requested now:
    `created_on` is set here)."""
    return [Notification(cause=f"bench-{tag}-{i}", kind="confirmation", recipient=RECIPIENT,
                         subject=f"Ticket T-{i:06d} received: circuit down at 100 Main St",
                         body=BODY.format(n=f"T-{i:06d}"), ticket_number=f"T-{i:06d}",
                         trace_context={}) for i in range(start, stop)]


@contextlib.asynccontextmanager
async def database() -> AsyncIterator[str]:
    """A database URL: HOTLINE_DATABASE_URL if set, else the local server on 5432, else (as
    sla_timer_bench does) the test harness's infrastructure (an embedded PostgreSQL)."""
    url = os.environ.get("HOTLINE_DATABASE_URL") or pg.server_url(5432)
    try:
        await asyncio.to_thread(lambda: psycopg.connect(url, connect_timeout=3).close())
        reachable = True
    except psycopg.OperationalError:
        if os.environ.get("HOTLINE_DATABASE_URL"):
            raise
        reachable = False
    if reachable:
        yield url
        return
    from harness import start_infra

    infra = await start_infra(Path(tempfile.mkdtemp(prefix="hotline-bench-")) / "logs")
    try:
        yield infra.database_url
    finally:
        await infra.close()


def drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


async def raw_baseline(port: int, messages: list[bytes]) -> float:
    """`messages` through `CONCURRENCY` kept aiosmtplib connections; messages per second."""
    pending = iter(messages)

    async def worker() -> None:
        smtp = aiosmtplib.SMTP(hostname=HOST, port=port, timeout=30)
        await smtp.connect()
        try:
            for data in pending:  # shared: each message goes out once, by whichever is free
                await smtp.sendmail(SENDER, [RECIPIENT], data)
        finally:
            with contextlib.suppress(Exception):
                await smtp.quit()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return len(messages) / (time.perf_counter() - began)


async def raw_send_loop(port: int, messages: list[bytes]) -> float:
    """`messages` sent one after another with `aiosmtplib.send` (a connection each, as a plain
    send loop does); messages per second."""
    began = time.perf_counter()
    for data in messages:
        await aiosmtplib.send(data, sender=SENDER, recipients=[RECIPIENT], hostname=HOST, port=port,
                              timeout=30)
    return len(messages) / (time.perf_counter() - began)


async def sent_reaches(dispatcher: Dispatcher, count: int, task: asyncio.Task,
                       timeout: float) -> tuple[float, int]:
    """Wall-clock instant the dispatcher's count of recorded `Sent` reached `count` (or
    `timeout` seconds passed), and that count."""
    deadline = time.monotonic() + timeout
    while dispatcher.sent < count and time.monotonic() < deadline:
        if task.done():
            task.result()  # the dispatcher stopped: its error
            raise RuntimeError("the dispatcher stopped")
        await asyncio.sleep(0.005)
    if dispatcher.sent < count:
        print(f"  (timed out: {dispatcher.sent:,} of {count:,} sent after {timeout:.0f} s more)", flush=True)
    return time.time(), dispatcher.sent


async def save_in_batches(app: NotifierApplication, tag: str, count: int, batch: int,
                          every: float = 0.0) -> list[Notification]:
    """`count` notifications, each batch requested (created) just before it is saved; with
    `every`, one batch per `every` seconds."""
    saved: list[Notification] = []
    began = time.monotonic()
    for number, start in enumerate(range(0, count, batch)):
        if every:
            await asyncio.sleep(max(0.0, began + number * every - time.monotonic()))
        owed_now = owed(tag, start, start + batch)
        await asyncio.to_thread(app.save, *owed_now)
        saved += owed_now
    return saved


def latencies(url: str, schema: str, notifications: list[Notification],
              received: list[tuple[float, bytes]]) -> tuple[list[float], list[float]]:
    """Per notification: requested → Sent, requested → received by the sink (s)."""
    requested = {n.id: n.created_on.timestamp() for n in notifications}
    with psycopg.connect(url) as conn:
        rows = conn.execute(sql.SQL("SELECT notification_id, updated_at FROM {}.notifier_deliveries "
                                    "WHERE state = 'sent' AND notification_id = ANY(%s)").format(
            sql.Identifier(schema)), (list(requested),)).fetchall()
    to_sent = [at.timestamp() - requested[i] for i, at in rows]
    to_sink = []
    for at, data in received:
        if (found := MESSAGE_ID.search(data)) and (i := UUID(found[1].decode())) in requested:
            to_sink.append(at - requested[i])
    return to_sent, to_sink


async def run() -> None:
    port = free_port()
    sink = Sink()
    controller = Controller(sink, hostname=HOST, port=port)
    controller.start()
    try:
        # 1. the raw baseline, on messages the notifier would send (composed beforehand)
        composer = SmtpSender(f"smtp://{HOST}:{port}", FROM)
        messages = [wire_bytes(composer.email_of(n)) for n in owed("raw", 0, COUNT)]
        raw = await raw_baseline(port, messages)
        got = len(sink.take())
        print(f"raw aiosmtplib: {COUNT:,} messages of {len(messages[0]):,} bytes, {CONCURRENCY} kept "
              f"connections: {raw:,.0f}/s ({got:,} received)", flush=True)
        loop = await raw_send_loop(port, messages)
        got = len(sink.take())
        print(f"raw aiosmtplib.send loop: the same {COUNT:,} messages one after another, a "
              f"connection each: {loop:,.0f}/s ({got:,} received)", flush=True)
        async with database() as url:
            schema = f"bench_notifier_{uuid4().hex[:8]}"
            try:
                rate = await notifier(url, schema, port, sink)
            finally:
                await asyncio.to_thread(drop_schema, url, schema)
        for name, baseline in (("raw send loop", loop), ("raw, 8 kept connections", raw)):
            print(f"notifier / {name}: {rate / baseline:.2f} ({rate:,.0f} / {baseline:,.0f} per "
                  f"second); goal ≥ {GOAL:.0%}: {'met' if rate >= GOAL * baseline else 'NOT met'}",
                  flush=True)
    finally:
        controller.stop()


async def notifier(url: str, schema: str, port: int, sink: Sink) -> float:
    """Phases 2 and 3; returns the backlog delivery rate."""
    await asyncio.to_thread(ensure_schema, url, schema)
    app = await asyncio.to_thread(NotifierApplication, env=postgres_env(url, schema))
    pool = await asyncpg.create_pool(url, min_size=1, max_size=3)
    email = SmtpSender(f"smtp://{HOST}:{port}", FROM, idle_limit=CONCURRENCY)
    dispatcher = Dispatcher(app, {"email": email}, SystemClock(), relay=RelayWatch(email.probe, 5.0),
                            concurrency=CONCURRENCY)
    task: asyncio.Task | None = None
    try:
        # 2. backlog: saved while no dispatcher runs, then delivered
        first_save = time.time()
        backlog = await save_in_batches(app, "backlog", COUNT, BATCH)
        saved = time.time()
        task = asyncio.create_task(dispatcher.run(LogPositions(pool, schema)))
        done, sent = await sent_reaches(dispatcher, COUNT, task, BACKLOG_TIMEOUT)
        rate = sent / (done - saved)
        received = sink.take()
        print(f"notifier backlog: {COUNT:,} saved in batches of {BATCH} in {saved - first_save:.2f} s; "
              f"dispatcher started, {sent:,} Sent recorded in {done - saved:.2f} s: {rate:,.0f} "
              f"deliveries/s; end-to-end from the first save {sent / (done - first_save):,.0f}/s "
              f"({len(received):,} received by the sink)", flush=True)
        to_sent, _ = await asyncio.to_thread(latencies, url, schema, backlog, received)
        print(f"notifier backlog: requested (created_on) → Sent {spread(to_sent)} "
              f"(the wait behind the backlog included)", flush=True)

        # 3. paced: the dispatcher idle and listening, requests arriving below its rate
        await asyncio.sleep(0.2)
        first_save = time.time()
        paced = await save_in_batches(app, "paced", PACED, PACED_BATCH, PACED_EVERY)
        done, _ = await sent_reaches(dispatcher, COUNT + PACED, task, PACED_TIMEOUT)
        received = sink.take()
        to_sent, to_sink = await asyncio.to_thread(latencies, url, schema, paced, received)
        print(f"notifier paced: {PACED:,} requested at {PACED_BATCH / PACED_EVERY:.0f}/s in batches of "
              f"{PACED_BATCH}, last Sent {done - first_save:.1f} s after the first ({len(to_sent):,} sent): "
              f"requested → Sent {spread(to_sent)}; → received by the sink {spread(to_sink)}", flush=True)
        return rate
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await dispatcher.close()
        await pool.close()
        await asyncio.to_thread(app.close)


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
