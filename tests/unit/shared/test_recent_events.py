"""RecentEvents: what a writer offers is handed to the follower only when it comes next, and
nothing piles up when no follower runs."""

from __future__ import annotations

import asyncio

from hotline.follower import RecentEvents


async def offered(recent: RecentEvents, *positions: int) -> None:
    recent.committed([(f"event {p}", p) for p in positions])
    await asyncio.sleep(0)  # the hand-over runs on the loop (writers are worker threads)


async def test_nothing_is_kept_while_no_follower_is_attached():
    recent = RecentEvents()
    await offered(recent, 1, 2)
    recent._attach(asyncio.Event())
    assert recent._take(0) is None


async def test_a_batch_is_taken_only_when_it_starts_right_after_the_position():
    recent = RecentEvents()
    wake = asyncio.Event()
    recent._attach(wake)
    await offered(recent, 5, 6)
    assert wake.is_set()
    assert recent._take(3) is None  # 4 is missing: the follower must read the table
    assert recent._take(4) == [("event 5", 5), ("event 6", 6)]
    assert recent._take(6) is None


async def test_batches_the_follower_has_passed_are_dropped():
    recent = RecentEvents()
    recent._attach(asyncio.Event())
    await offered(recent, 5, 6)
    await offered(recent, 7)
    assert recent._take(6) == [("event 7", 7)]  # 5-6 were read from the table meanwhile


async def test_a_follower_that_falls_behind_keeps_at_most_the_limit():
    recent = RecentEvents(limit=4)
    recent._attach(asyncio.Event())
    for start in range(1, 10, 2):
        await offered(recent, start, start + 1)
    assert recent._take(0) is None  # the oldest were dropped
    assert recent._take(6) == [("event 7", 7), ("event 8", 8)]


async def test_next_waits_briefly_for_a_hand_over_that_races_the_notify():
    recent = RecentEvents()
    recent._attach(asyncio.Event())
    asyncio.get_running_loop().call_later(0.001, recent.committed, [("event 1", 1)])
    assert await recent._next(0, grace=0.05) == [("event 1", 1)]
    assert await recent._next(1, grace=0.01) is None
