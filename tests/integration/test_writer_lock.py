"""The single-writer lock is checked while held: when the holder's lock session is terminated
(`pg_terminate_backend`), the holder stops, the standby takes over only after the margin,
and, under load, every position is published exactly once."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest

from harness import headers_dict, kafka_messages
from hotline import writer_lock
from hotline.follower import LogPositions
from hotline.kafka import make_producer
from hotline.relay import Relay
from hotline.settings import ServiceSettings
from hotline.writer_lock import LockLost
from hotline_intake.publication import to_cloud_event
from test_relay import BASE, intake_app, open_tickets, relaying

pytestmark = pytest.mark.integration

HOLDER = """SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1
            AND (classid::bigint << 32 | objid::bigint) = hashtext($1)::bigint"""


async def terminate_lock_session(pool, schema: str, follower: str) -> None:
    """End the PostgreSQL session holding `follower`'s lock (as an operator, or the e2e, would)."""
    async with asyncio.timeout(10):
        while (pid := await pool.fetchval(HOLDER, f'"{schema}".log_positions:{follower}')) is None:
            await asyncio.sleep(0.05)
    assert await pool.fetchval("SELECT pg_terminate_backend($1)", pid)


async def test_an_idle_holder_stops_when_its_lock_session_dies_and_the_standby_waits_the_margin(
        infra, schema, topic, pool):
    async with relaying(infra, schema, pool, 0) as (app, positions, producer):
        holder, standby = (Relay(name="r", app=app, producer=producer, topic=topic,
                                 to_cloud_event=to_cloud_event, positions=positions) for _ in range(2))
        first = asyncio.create_task(holder.run())
        second = asyncio.create_task(standby.run())
        try:
            async with asyncio.timeout(10):
                while not holder.running:
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)
            assert not standby.running
            killed_at = asyncio.get_running_loop().time()
            await terminate_lock_session(pool, schema, "r")
            with pytest.raises(LockLost):
                await asyncio.wait_for(first, 5)
            stopped_after = asyncio.get_running_loop().time() - killed_at
            async with asyncio.timeout(20):
                while not standby.running:
                    await asyncio.sleep(0.05)
            took_over_after = asyncio.get_running_loop().time() - killed_at
        finally:
            for task in (first, second):
                task.cancel()
            await asyncio.gather(first, second, return_exceptions=True)
    assert stopped_after < writer_lock.CHECK_EVERY + writer_lock.CHECK_TIMEOUT + 0.5
    # Its last confirmation was at most CHECK_EVERY before the kill.
    assert took_over_after >= writer_lock.TAKEOVER_MARGIN - writer_lock.CHECK_EVERY - 0.1


async def test_under_load_a_lost_lock_moves_publishing_to_the_standby_and_nothing_goes_twice(
        infra, schema, topic, pool):
    app = await asyncio.to_thread(intake_app, infra.database_url, schema)
    positions = LogPositions(pool, schema)
    await positions.setup()
    producers = [make_producer(ServiceSettings(kafka_bootstrap=infra.kafka_bootstrap)) for _ in range(2)]
    for producer in producers:
        await producer.start()
    relays = [Relay(name="r", app=app, producer=producer, topic=topic, batch_size=20,
                    to_cloud_event=to_cloud_event, positions=positions) for producer in producers]
    stop_writing = threading.Event()

    def write() -> None:  # a steady stream of new tickets, the load
        while not stop_writing.is_set():
            open_tickets(app, 3)

    writer = asyncio.create_task(asyncio.to_thread(write))
    first = asyncio.create_task(relays[0].run())
    second = None
    try:
        async with asyncio.timeout(10):
            while relays[0].published < 30:
                await asyncio.sleep(0.05)
        second = asyncio.create_task(relays[1].run())
        await asyncio.sleep(0.5)
        assert relays[1].published == 0
        await terminate_lock_session(pool, schema, "r")
        with pytest.raises(LockLost):
            await asyncio.wait_for(first, 5)
        published_by_the_first = relays[0].published
        async with asyncio.timeout(30):
            while relays[1].published < 30:
                await asyncio.sleep(0.05)
        stop_writing.set()
        await writer
        last = await asyncio.to_thread(app.recorder.max_notification_id)
        async with asyncio.timeout(20):
            while relays[1].position < last:
                await asyncio.sleep(0.05)
    finally:
        stop_writing.set()
        for task in (first, second):
            if task is not None:
                task.cancel()
        await asyncio.gather(writer, first, *([second] if second else []), return_exceptions=True)
        for producer in producers:
            await producer.stop()
    assert relays[0].published == published_by_the_first, "the first published nothing after it stopped"
    records = await kafka_messages(infra.kafka_bootstrap, topic, min_count=last - BASE)
    published = Counter(int(headers_dict(r)["hotline_position"]) for r in records)
    assert sorted(published) == list(range(BASE + 1, last + 1))
    assert published.most_common(1)[0][1] == 1, "nothing published twice"
    assert relays[0].published + relays[1].published == last - BASE
