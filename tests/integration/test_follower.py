"""Following the event log with asyncpg: every entry once, in order, whether it was read from
the table or taken from what the writer in this process offered (`RecentEvents`)."""

from __future__ import annotations

import asyncio
from datetime import timedelta, timezone

import pytest

from hotline.clock import FixedClock
from hotline.follower import RecentEvents, follow_log
from test_sla_timer_due_index import MONDAY_9, make_app, opened

pytestmark = pytest.mark.integration
UTC = timezone.utc


class Offered:
    """A stand-in for a domain event that the writer offered (so the test sees which path)."""

    def __init__(self, position: int) -> None:
        self.position = position


def made(url: str, schema: str, clock: FixedClock):
    """An sla-timer application and the last position in its log when it was made (it records
    the policy and calendar versions it runs with first)."""
    app = make_app(url, schema, clock)
    return app, app.recorder.max_notification_id() or 0


async def collect(iterator, count: int) -> list[tuple[object, int]]:
    out: list[tuple[object, int]] = []
    async with asyncio.timeout(20):
        async for batch in iterator:
            out += batch
            if len(out) >= count:
                return out
    return out


async def test_follow_log_reads_every_entry_once_in_order_and_wakes_on_notify(infra, schema, pool):
    clock = FixedClock(MONDAY_9)
    app, base = await asyncio.to_thread(made, infra.database_url, schema, clock)
    await asyncio.to_thread(app.take_batch, [opened(f"T-70{i:04d}") for i in range(30)])
    follower = follow_log(app, pool, base, batch_size=7)
    first = await collect(follower, 30)
    assert [p - base for _, p in first] == list(range(1, 31))
    assert {type(e).__name__ for e, _ in first} == {"Opened"}

    # Caught up: it waits, and a later write wakes it (LISTEN), well before the 1 s poll.
    later = asyncio.create_task(collect(follower, 1))
    await asyncio.sleep(0.2)
    assert not later.done()
    await asyncio.to_thread(app.take, opened("T-709999"))
    assert [p - base for _, p in await asyncio.wait_for(later, 0.9)] == [31]
    await follower.aclose()


async def test_offered_entries_are_taken_only_when_they_come_next(infra, schema, pool):
    clock = FixedClock(MONDAY_9)
    app, base = await asyncio.to_thread(made, infra.database_url, schema, clock)
    await asyncio.to_thread(app.take_batch, [opened(f"T-71{i:04d}") for i in range(9)])
    recent = RecentEvents()
    follower = follow_log(app, pool, base, batch_size=100, recent=recent)
    assert [p - base for _, p in await collect(follower, 9)] == list(range(1, 10))

    # Offered right after the position (ids 10-11, as a writer here would after committing):
    # taken from memory, not read back.
    await asyncio.to_thread(app.take_batch, [opened("T-719998"), opened("T-719999")])
    recent.committed([(Offered(base + 10), base + 10), (Offered(base + 11), base + 11)])
    taken = await collect(follower, 2)
    assert [(type(e), p - base) for e, p in taken] == [(Offered, 10), (Offered, 11)]

    # Offered with a gap before it (id 12 was written by someone else): the table is read,
    # so nothing is skipped, and the stale offer is dropped rather than published twice.
    await asyncio.to_thread(app.take_batch, [opened("T-718888"), opened("T-718889")])
    recent.committed([(Offered(base + 13), base + 13)])
    taken = await collect(follower, 2)
    assert [(type(e).__name__, p - base) for e, p in taken] == [("Opened", 12), ("Opened", 13)]
    await follower.aclose()


async def test_firing_offers_what_it_committed_and_the_follower_sees_each_deadline_once(infra, schema, pool):
    clock = FixedClock(MONDAY_9)
    app, base = await asyncio.to_thread(made, infra.database_url, schema, clock)
    await asyncio.to_thread(app.take_batch, [opened(f"T-72{i:04d}", priority=1) for i in range(50)])
    follower = follow_log(app, pool, base, batch_size=500, recent=app.recent)
    assert len(await collect(follower, 50)) == 50
    clock.set(MONDAY_9 + timedelta(hours=3))  # past every P1's 75 % response mark
    fired = asyncio.create_task(collect(follower, 50))
    total = 0
    while n := await asyncio.to_thread(app.fire_due, 20):
        total += n
    entries = await fired
    assert total == len(entries) == 50
    assert [p - base for _, p in entries] == list(range(51, 101))
    assert {type(e).__name__ for e, _ in entries} == {"DeadlineApproaching"}
    # What the follower was handed equals what it would have read back from the table.
    stored = await asyncio.to_thread(app.recorder.select_notifications, base + 51, 100)
    assert [vars(e) for e, _ in entries] == [vars(app.mapper.to_domain_event(n)) for n in stored]
    await follower.aclose()


async def test_a_follower_of_some_classes_gets_the_others_undecoded_and_every_position(infra, schema, pool):
    """`publishes`: a relay's public classes (here a base class, so a subclass counts). Every
    position still comes, in order; the others come as None and are never decoded."""
    from hotline_sla_timer.domain.clocks import TicketClocks

    clock = FixedClock(MONDAY_9)
    app, base = await asyncio.to_thread(made, infra.database_url, schema, clock)
    await asyncio.to_thread(app.take_batch, [opened(f"T-73{i:04d}", priority=1) for i in range(5)])
    clock.set(MONDAY_9 + timedelta(hours=3))  # past every P1's 75 % response mark
    while await asyncio.to_thread(app.fire_due, 20):
        pass
    decoded: list[str] = []
    to_domain_event = app.mapper.to_domain_event

    def counting(stored):
        decoded.append(stored.topic)
        return to_domain_event(stored)

    app.mapper.to_domain_event = counting
    follower = follow_log(app, pool, base, batch_size=3, publishes=(TicketClocks.DeadlineFired,))
    entries = await collect(follower, 10)
    await follower.aclose()
    assert [p - base for _, p in entries] == list(range(1, 11))
    assert [type(e).__name__ if e is not None else None for e, _ in entries] == \
        [None] * 5 + ["DeadlineApproaching"] * 5
    assert len(decoded) == 5 and all(t.endswith("DeadlineApproaching") for t in decoded)
