"""sla-timer under load, against real PostgreSQL and tansu, with the service as a process.

1. Burst: 10,000 P1 tickets opened at the same instant (armed in-process through the real
   `open_clocks` + due-index recorder hook, in bulk transactions); once the service's relay has
   passed those openings, the simulated clock jumps to their 75 % response instant; lateness =
   timestamp of each published deadline event (set by the producer as it batches the record)
   − the wall-clock instant of the jump. The topic is read once, after the relay has caught up,
   so the reader does not compete for the CPU being measured. Reports p50 / p99 / max (goal:
   p99 ≤ 2 s, max ≤ 5 s).
2. Memory: 1,000,000 pending timers inserted with bulk SQL; the service's resident memory
   before and after, while its firing loop keeps polling the due index.
3. Arming: 100,000 TicketOpened on `hotline.tickets.v1`, consumed by the running service
   (tracked consumer → aggregate → due index); timers armed per second over a fixed window.
4. Batching: firing in-process, one timer per transaction (baseline) against batches of 500,
   in the same run; prints both rates and their ratio.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from harness import kafka_messages, start_infra  # noqa: E402
from hotline import contracts  # noqa: E402
from hotline.clock import FixedClock, SimulatedClock  # noqa: E402
from hotline.contracts.envelope import CloudEvent  # noqa: E402
from hotline.devstack import services as svc  # noqa: E402
from hotline.devstack.ports import free_port  # noqa: E402
from hotline.devstack.supervisor import Supervisor  # noqa: E402
from hotline.eventstore import ensure_schema, postgres_env  # noqa: E402
from hotline_sla_timer.adapters.due_index import DueTimers  # noqa: E402
from hotline_sla_timer.application import SlaTimerApplication  # noqa: E402
from hotline_sla_timer.domain import deadlines  # noqa: E402

UTC = timezone.utc
T0 = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)  # Monday 09:00 Pacific
BURST = 10_000
PENDING = 1_000_000
BACKLOG = 100_000
ARMING_WINDOW = 60.0
BASELINE = 2_000


def opened(number: str, priority: int, at: datetime) -> contracts.TicketOpened:
    return contracts.TicketOpened(
        ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer="Acme Corp",
        location="100 Main St", issue="bench", description="d", priority=priority,
        channel="http", contact="noc@acme.example", received_at=at, off_hours=False)


def arm_burst(app: SlaTimerApplication, count: int = BURST, prefix: str = "T-5") -> None:
    for start in range(0, count, 1000):
        clocks, pending = [], []
        for i in range(start, min(count, start + 1000)):
            aggregate, timers = deadlines.open_clocks(opened(f"{prefix}{i:07d}", 1, T0), app.policy, T0)
            clocks.append(aggregate)
            pending += timers
        app.save(*clocks, timers=DueTimers([c.id for c in clocks], pending))


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def relay_caught_up(database_url: str, now: datetime) -> bool:
    """Every burst timer fired and the relay past the last event (cheap to ask, unlike reading
    the topic, which would compete for the CPU being measured)."""
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM sla_timer.sla_timer_due_timers WHERE due_at <= %s) AND (SELECT coalesce(max(position), 0) FROM sla_timer.log_positions) >= "
            "(SELECT max(notification_id) FROM sla_timer.sla_timer_events)", (now,)).fetchone()[0]


async def burst(infra, clock: SimulatedClock) -> None:
    # The relay first passes the 10,000 openings armed above (private events): measure the
    # burst, not the start-up.
    while not await asyncio.to_thread(relay_caught_up, infra.database_url, T0):
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)
    jumped, now = time.time(), T0 + timedelta(hours=3)
    await asyncio.to_thread(clock.set, now)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not await asyncio.to_thread(relay_caught_up, infra.database_url, now):
        await asyncio.sleep(0.5)
    records = await kafka_messages(infra.kafka_bootstrap, "hotline.sla.v1", timeout=30)
    late = [r.timestamp / 1000 - jumped for r in records]
    print(f"burst: {len(records):,} of {BURST:,} deadline events published; lateness after the "
          f"clock jump p50 {percentile(late, 50):.2f} s, p99 {percentile(late, 99):.2f} s, "
          f"max {max(late):.2f} s; within 2 s {sum(v <= 2 for v in late) / len(late):.1%}", flush=True)


def rss_mb(pid: int) -> float:
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20


async def memory(infra, pid: int) -> None:
    before = rss_mb(pid)
    began = time.monotonic()
    with psycopg.connect(infra.database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO sla_timer.sla_timer_due_timers SELECT gen_random_uuid(), c.clock, t, "
            "CASE WHEN t = 100 THEN 'DeadlineBreached' ELSE 'DeadlineApproaching' END, "
            "timestamptz '2030-01-01' + (n || ' seconds')::interval, 1, 'T-9' || lpad(n::text, 7, '0'), "
            "3, 'bench', 'bench' FROM generate_series(1, %s) n, "
            "(VALUES ('resolution')) c(clock), (VALUES (100.0::float8)) th(t)", (PENDING,))
        conn.execute("ANALYZE sla_timer.sla_timer_due_timers")
        count = conn.execute("SELECT count(*) FROM sla_timer.sla_timer_due_timers").fetchone()[0]
    inserted = time.monotonic() - began
    await asyncio.sleep(5)  # 25 firing-loop ticks over the 1,000,000 pending rows
    after = rss_mb(pid)
    print(f"memory: sla-timer resident {before:.0f} MiB before, {after:.0f} MiB with {count:,} "
          f"pending timers (bulk insert {inserted:.0f} s)", flush=True)


async def arming(infra) -> None:
    from aiokafka import AIOKafkaProducer

    source = f"/hotline/bench-{uuid4().hex[:6]}"
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap, linger_ms=20)
    await producer.start()
    began = time.monotonic()
    try:
        futures = []
        for position in range(1, BACKLOG + 1):
            at = T0 + timedelta(minutes=position % 5000)
            data = opened(f"T-6{position:07d}", 2 + position % 2, at)
            event = CloudEvent(id=f"{data.ticket_id}:1", source=source, type=data.ce_type, time=at,
                               subject=data.ticket_number, position=position, data=data)
            futures.append(await producer.send(
                "hotline.tickets.v1", event.body(), key=str(data.ticket_id).encode(),
                headers=[(k, v.encode()) for k, v in event.headers().items()]))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    print(f"arming: {BACKLOG:,} TicketOpened published in {time.monotonic() - began:.0f} s", flush=True)

    def counts() -> tuple[int, int]:
        with psycopg.connect(infra.database_url) as conn:
            tracked = conn.execute("SELECT count(*) FROM sla_timer.sla_timer_tracking "
                                   "WHERE application_name = %s", (source.rsplit('/', 1)[-1],)).fetchone()[0]
            timers = conn.execute("SELECT count(*) FROM sla_timer.sla_timer_due_timers "
                                  "WHERE ticket_number LIKE 'T-6%%'").fetchone()[0]
        return tracked, timers

    began = time.monotonic()
    first = None
    while time.monotonic() - began < ARMING_WINDOW:
        await asyncio.sleep(2.0)
        tracked, timers = await asyncio.to_thread(counts)
        if first is None and tracked:
            first = (time.monotonic(), tracked, timers)
        if tracked >= BACKLOG:
            break
    elapsed = time.monotonic() - first[0] if first else 0.0
    rate_events = (tracked - first[1]) / elapsed if elapsed else 0.0
    rate_timers = (timers - first[2]) / elapsed if elapsed else 0.0
    print(f"arming: {tracked:,} of {BACKLOG:,} tickets armed in a {ARMING_WINDOW:.0f} s window: "
          f"{rate_events:,.0f} tickets/s = {rate_timers:,.0f} timers armed/s "
          f"(whole backlog ≈ {BACKLOG / rate_events if rate_events else float('inf'):.0f} s)", flush=True)


def batching_baseline(database_url: str) -> None:
    """Firing in-process, without the relay: one timer per transaction (the baseline) against
    batches of 500, over the same kind of due timers in a schema of their own."""
    ensure_schema(database_url, "bench_baseline")
    clock = FixedClock(T0)
    app = SlaTimerApplication(env=postgres_env(database_url, "bench_baseline"), clock=clock)
    arm_burst(app, BASELINE * 2, prefix="T-8")
    clock.set(T0 + timedelta(hours=3))
    began = time.perf_counter()
    for _ in range(BASELINE):
        app.fire_due(1)
    single = BASELINE / (time.perf_counter() - began)
    began, fired = time.perf_counter(), 0
    while n := app.fire_due(500):
        fired += n
    batched = fired / (time.perf_counter() - began)
    print(f"firing in-process: one timer per transaction {single:,.0f}/s, batches of 500 "
          f"{batched:,.0f}/s; ratio batched / baseline {batched / single:.1f} x", flush=True)


async def run() -> None:
    base = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    infra = await start_infra(base / "logs")
    services = Supervisor(base / "logs")
    try:
        await asyncio.to_thread(ensure_schema, infra.database_url, "sla_timer")
        clock = await asyncio.to_thread(SimulatedClock, infra.database_url)
        await asyncio.to_thread(clock.set, T0)
        app = await asyncio.to_thread(SlaTimerApplication, env=postgres_env(infra.database_url, "sla_timer"),
                                      clock=clock)
        began = time.monotonic()
        await asyncio.to_thread(arm_burst, app)
        print(f"burst: {BURST:,} P1 tickets armed in-process in {time.monotonic() - began:.1f} s", flush=True)
        env = svc.base_env({**infra.env, "HOTLINE_SIMULATED_CLOCK": "true", "HOTLINE_LOG_LEVEL": "WARNING",
                            "HOTLINE_SLA_TIMER_HTTP_PORT": str(free_port()),
                            "HOTLINE_VAR_DIR": str(base / "var")}, keep_hotline=False)
        child = await services.start(svc.service_spec("sla-timer", env))
        await burst(infra, clock)
        await memory(infra, child.proc.pid)
        await arming(infra)
        await asyncio.to_thread(batching_baseline, infra.database_url)
    finally:
        await services.stop_all()
        await infra.close()


def main() -> None:
    asyncio.run(run())


if __name__ == "__main__":
    main()
