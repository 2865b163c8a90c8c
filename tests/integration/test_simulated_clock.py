"""The stack-wide simulated clock on real PostgreSQL, and its CLI guard."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import pytest

from hotline.clock import CLOCK_CHANNEL, SimulatedClock, SystemClock, clock_from_settings
from hotline.settings import HotlineSettings

pytestmark = pytest.mark.integration
HOTLINE = str(Path(sys.executable).with_name("hotline"))
FRIDAY = datetime(2026, 11, 27, 23, 59, tzinfo=timezone.utc)


@pytest.fixture
def database_url(infra):
    url = infra.fresh_database()
    yield url
    infra.drop_database(url)


async def test_set_advance_reset_and_notify(database_url):
    clock = SimulatedClock(database_url)
    before = datetime.now(timezone.utc)
    assert clock.now() >= before  # unset: the system clock
    listener = await asyncpg.connect(database_url)
    moved: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(CLOCK_CHANNEL, lambda *args: moved.put_nowait(args[-1]))
    try:
        assert clock.set(FRIDAY) == FRIDAY
        assert SimulatedClock(database_url).now() == FRIDAY  # every process sees it
        assert clock.advance(timedelta(minutes=10)) == FRIDAY + timedelta(minutes=10)
        await asyncio.wait_for(moved.get(), 5)
        with pytest.raises(ValueError):
            clock.advance(timedelta(minutes=-1))
        with pytest.raises(ValueError):
            clock.set(datetime(2026, 1, 1))
        clock.reset()
        assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)
    finally:
        await listener.close()


def test_services_use_it_only_when_enabled(database_url):
    on = HotlineSettings(database_url=database_url, simulated_clock=True)
    off = HotlineSettings(database_url=database_url, simulated_clock=False)
    assert isinstance(clock_from_settings(on), SimulatedClock)
    assert isinstance(clock_from_settings(off), SystemClock)


def test_cli_moves_time_when_enabled_and_refuses_otherwise(database_url):
    def hotline(enabled: bool, *args: str) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/bin:/bin", "HOTLINE_DATABASE_URL": database_url,
               "HOTLINE_SIMULATED_CLOCK": "true" if enabled else "false"}
        return subprocess.run([HOTLINE, "clock", *args], env=env, capture_output=True,
                              text=True, timeout=60)

    refused = hotline(False, "set", "2026-11-27T15:59:00-08:00")
    assert refused.returncode != 0 and "simulated clock is disabled" in refused.stderr
    assert hotline(True, "set", "2026-11-27T15:59:00-08:00").stdout.strip() == "2026-11-27T15:59:00-08:00"
    assert hotline(True, "advance", "10m").stdout.strip() == "2026-11-27T16:09:00-08:00"
    assert SimulatedClock(database_url).now() == datetime(2026, 11, 28, 0, 9, tzinfo=timezone.utc)
