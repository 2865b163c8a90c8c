"""The board's API: `GET /board/data` (JSON, bearer token) and `GET /board/events` (SSE).

Both need `sla:read` (agents and every role above). The data is `rows.board`: the stack's
`now`, whether time flows by itself, and the open tickets by time to breach. The event stream
is left out of the OpenAPI document: it never ends, and it takes its token as a query
parameter (see `gate.py`), which no other route does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from hotline.identity import requires
from hotline_sla_timer.board import sse
from hotline_sla_timer.board.feed import BoardFeed

SSE_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


def board_router(feed: BoardFeed, heartbeat: float = 15.0) -> APIRouter:
    router = APIRouter(tags=["board"])

    @router.get("/board/data", summary="Open tickets by time to breach, each running clock's marks")
    @requires("sla:read")
    async def board_data() -> dict[str, Any]:
        return await asyncio.to_thread(feed.view.snapshot)

    @router.get("/board/events", include_in_schema=False)
    @requires("sla:read")
    async def board_events() -> StreamingResponse:
        return StreamingResponse(sse.stream(feed, heartbeat), media_type="text/event-stream",
                                 headers=SSE_HEADERS)

    return router
