"""Checks of the single-writer lock asked while a confirmation is under way share the next
one: never the one already under way (it began before they asked), and every check waiting
on a failed confirmation fails with it."""

from __future__ import annotations

import asyncio

import pytest

from hotline.writer_lock import LockLost, WriterLock


class Session:
    """The lock's connection: each confirmation waits until the test answers it."""

    def __init__(self) -> None:
        self.statements: list[asyncio.Future[bool]] = []
        self.began = asyncio.Event()

    async def fetchval(self, *_args, timeout: float | None = None) -> bool:
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.statements.append(answer)
        self.began.set()
        return await answer

    def terminate(self) -> None:
        pass

    async def under_way(self, count: int) -> None:
        while len(self.statements) < count:
            self.began.clear()
            await asyncio.wait_for(self.began.wait(), 1)


async def asked_during_a_confirmation(session: Session, lock: WriterLock, count: int
                                      ) -> list[asyncio.Task[None]]:
    """`count` checks asked while a first one's confirmation is under way; returns them once
    that confirmation was answered and the next one began."""
    first = asyncio.create_task(lock.check())
    await session.under_way(1)
    later = [asyncio.create_task(lock.check()) for _ in range(count)]
    await asyncio.sleep(0.01)
    session.statements[0].set_result(True)
    await first
    await session.under_way(2)  # the first confirmation began before they asked: not theirs
    assert not any(task.done() for task in later)
    return later


async def test_checks_asked_during_a_confirmation_share_the_next_one() -> None:
    session = Session()
    lock = WriterLock(session, "log_positions", "dispatcher", "k")  # type: ignore[arg-type]
    later = await asked_during_a_confirmation(session, lock, 5)
    session.statements[1].set_result(True)
    await asyncio.gather(*later)
    assert len(session.statements) == 2  # six checks, two statements
    third = asyncio.create_task(lock.check())  # asked after both: a statement of its own
    await session.under_way(3)
    session.statements[2].set_result(True)
    await third


async def test_every_check_sharing_a_failed_confirmation_fails() -> None:
    session = Session()
    lock = WriterLock(session, "log_positions", "dispatcher", "k")  # type: ignore[arg-type]
    later = await asked_during_a_confirmation(session, lock, 3)
    session.statements[1].set_result(False)  # the session no longer holds the lock
    results = await asyncio.gather(*later, return_exceptions=True)
    assert all(isinstance(r, LockLost) for r in results)
    assert len(session.statements) == 2
    with pytest.raises(LockLost):
        await lock.check()
