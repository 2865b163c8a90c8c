"""ServiceRuntime: the HTTP API, health probes and background loops do not wait for Kafka's
consumer group (aiokafka's start() blocks until partitions are assigned); readiness says so."""

from __future__ import annotations

import asyncio
import os
import signal

import httpx
import pytest
from fastapi import FastAPI

from hotline.devstack.ports import free_port
from hotline.runtime import ServiceRuntime
from hotline.settings import ServiceSettings


class SlowBroker:
    """Stands in for FastStream's broker: start() returns when the test lets the group form."""

    def __init__(self, fails: bool = False) -> None:
        self.assigned = asyncio.Event()
        self.fails = fails
        self.stopped = False

    async def start(self) -> None:
        await self.assigned.wait()
        if self.fails:
            raise ConnectionError("group coordinator unavailable")

    async def stop(self) -> None:
        self.stopped = True


async def get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        for _ in range(100):
            try:
                return await client.get(url)
            except httpx.ConnectError:
                await asyncio.sleep(0.05)
    raise AssertionError(f"{url} never answered")


class NoTokens:
    """Stands in for the authenticator (no database here): loaded at once, knows no token."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def ready(self) -> bool:
        return True

    def verify(self, token: str) -> None:
        return None


def runtime(broker: SlowBroker, port: int, ticks: list[int]) -> ServiceRuntime:
    settings = ServiceSettings(service_name="test", http_port=port)
    rt = ServiceRuntime(settings, FastAPI(), broker, NoTokens())  # type: ignore[arg-type]

    async def loop() -> None:
        while True:
            ticks.append(1)
            await asyncio.sleep(0.01)

    rt.add_task("firing", loop)
    return rt


async def test_http_and_loops_run_while_the_consumer_group_forms():
    port, ticks, broker = free_port(), [], SlowBroker()
    running = asyncio.create_task(runtime(broker, port, ticks).run())
    try:
        base = f"http://127.0.0.1:{port}"
        assert (await get(base + "/healthz")).status_code == 200
        waiting = await get(base + "/readyz")
        assert waiting.status_code == 503
        assert waiting.json()["checks"]["consumers"] is False
        assert ticks, "the background loop should run before the group forms"

        broker.assigned.set()
        await asyncio.sleep(0.05)
        ready = await get(base + "/readyz")
        assert ready.status_code == 200, ready.json()
    finally:
        os.kill(os.getpid(), signal.SIGTERM)  # the runtime's own handler stops it
        await asyncio.wait_for(running, 10)
    assert broker.stopped


async def test_a_broker_that_refuses_the_consumers_stops_the_service_with_its_error():
    port, broker = free_port(), SlowBroker(fails=True)
    running = asyncio.create_task(runtime(broker, port, []).run())
    assert (await get(f"http://127.0.0.1:{port}/healthz")).status_code == 200
    broker.assigned.set()
    with pytest.raises(ConnectionError, match="coordinator"):
        await asyncio.wait_for(running, 10)
    assert broker.stopped
