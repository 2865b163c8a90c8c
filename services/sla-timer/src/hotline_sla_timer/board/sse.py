"""Server-sent events for the board: the wire format and one stream's life.

A stream sends `retry`, then a `board` event with the whole board at once, then the board again
each time the feed says something changed, and a comment line as a heartbeat when nothing
happened for `heartbeat` seconds (proxies and browsers keep the connection). It needs no task
of its own: when the client goes away Starlette cancels the response, the generator's `finally`
leaves the feed, and nothing is left running.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from hotline.waking import woken
from hotline_sla_timer.board.feed import BoardFeed

RETRY_MS = 3000


def event(name: str, data: Any) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


async def stream(feed: BoardFeed, heartbeat: float = 15.0) -> AsyncIterator[str]:
    async with feed.subscription() as subscriber:
        yield f"retry: {RETRY_MS}\n\n"
        yield event("board", await asyncio.to_thread(feed.view.snapshot))
        while not subscriber.closed:
            if await woken(subscriber.changed, heartbeat):
                subscriber.changed.clear()
                if subscriber.closed:
                    break
                board = feed.latest or await asyncio.to_thread(feed.view.snapshot)
                yield event("board", board)
            else:
                yield ": heartbeat\n\n"
