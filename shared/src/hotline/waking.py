"""Waiting for a wake-up with a time limit, without losing a cancellation.

On Python 3.11, `asyncio.wait_for(event.wait(), t)` swallows a cancellation that arrives in the
same loop iteration as the event being set (the inner wait is done, so its result is returned
and the `CancelledError` is dropped). A loop that is woken and cancelled at once (a TaskGroup
cancelling its parent because a child failed, and the child's `finally` waking the loop) then
runs on forever. `asyncio.timeout` does not have that flaw; `woken` wraps it.
"""

from __future__ import annotations

import asyncio


async def woken(event: asyncio.Event, seconds: float) -> bool:
    """Wait until `event` is set or `seconds` pass; True when it was set."""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True
