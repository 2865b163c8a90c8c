"""Graceful shutdown: on SIGTERM a service stops taking new work and finishes what it holds.

The runtime calls `begin()` when the signal comes: from then on `requested()` is true, so the
HTTP API refuses new commands (503 `shutting_down` with Retry-After), intake's SMTP listener
answers `421`, and the consumers stop fetching. Work that must not be cut in two runs inside
`critical()`: a relay's publish-and-record of one batch, the notifier's send-and-record of one
delivery, intake's acceptance of one email. `drain(grace)` waits until no critical section is
running (at most `grace` seconds); a loop that tries to enter one after `begin()` waits there
until it is cancelled, so no new work starts. Then the runtime cancels its loops, records
positions and exits 0. One process runs one service, so the state is the process's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

log = logging.getLogger(__name__)

_state = {"stopping": False, "active": 0}


def requested() -> bool:
    """Whether the service is shutting down (no new work)."""
    return bool(_state["stopping"])


def begin() -> None:
    _state["stopping"] = True


def reset() -> None:
    """For tests that run several runtimes in one process."""
    _state.update(stopping=False, active=0)


def active() -> int:
    return int(_state["active"])


@contextlib.asynccontextmanager
async def critical() -> AsyncIterator[None]:
    """A unit of work that shutdown lets finish. Entered after shutdown began, it never starts:
    the caller waits here until it is cancelled."""
    if _state["stopping"]:
        await asyncio.Event().wait()
    _state["active"] += 1
    try:
        yield
    finally:
        _state["active"] -= 1


async def drain(grace: float) -> bool:
    """Wait until no critical section runs, at most `grace` seconds; whether it drained."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + grace
    while _state["active"] > 0:
        if loop.time() >= deadline:
            log.warning("shutdown: %d units of work still running after %.0f s; cutting them off",
                        _state["active"], grace)
            return False
        await asyncio.sleep(0.02)
    return True
