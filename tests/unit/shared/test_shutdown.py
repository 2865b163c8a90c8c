"""Graceful shutdown's parts: a unit of work in hand finishes before `drain` returns, none
starts after `begin`, and commands are refused with 503 `shutting_down` while reads still work."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from hotline import shutdown
from hotline.runtime import RefuseWhileStopping


@pytest.fixture(autouse=True)
def fresh():
    shutdown.reset()
    yield
    shutdown.reset()


async def test_work_in_hand_finishes_and_no_new_work_starts():
    finished, started_late = [], []

    async def unit(name: str, seconds: float, into: list) -> None:
        async with shutdown.critical():
            await asyncio.sleep(seconds)
            into.append(name)

    in_hand = asyncio.create_task(unit("in hand", 0.2, finished))
    await asyncio.sleep(0.05)
    shutdown.begin()
    late = asyncio.create_task(unit("late", 0.0, started_late))
    assert await shutdown.drain(5.0) is True
    assert finished == ["in hand"] and shutdown.active() == 0
    await asyncio.sleep(0.05)
    assert not late.done() and started_late == []  # waits, never starts
    late.cancel()
    await in_hand


async def test_drain_gives_up_at_the_grace_period():
    async def stuck() -> None:
        async with shutdown.critical():
            await asyncio.sleep(10)

    task = asyncio.create_task(stuck())
    await asyncio.sleep(0.01)
    shutdown.begin()
    assert await shutdown.drain(0.1) is False
    task.cancel()


async def test_commands_are_refused_while_stopping_and_reads_answer():
    app = FastAPI()

    @app.get("/things")
    async def read() -> dict:
        return {"ok": True}

    @app.post("/things")
    async def write() -> dict:
        return {"ok": True}

    app.add_middleware(RefuseWhileStopping)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.post("/things")).status_code == 200
        shutdown.begin()
        refused = await client.post("/things")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "5"
        assert refused.json()["detail"]["reason"] == "shutting_down"
        assert (await client.get("/things")).status_code == 200


async def test_a_database_that_is_away_answers_503_with_retry_after():
    import psycopg
    from eventsourcing.persistence import OperationalError

    from hotline import problems

    app = FastAPI()
    problems.install(app)

    @app.post("/psycopg")
    async def down() -> dict:
        raise psycopg.OperationalError("connection refused")

    @app.post("/eventsourcing")
    async def down_too() -> dict:
        raise OperationalError("server closed the connection unexpectedly")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for path in ("/psycopg", "/eventsourcing"):
            answer = await client.post(path)
            assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
            assert answer.json()["detail"]["reason"] == "database_unavailable"
