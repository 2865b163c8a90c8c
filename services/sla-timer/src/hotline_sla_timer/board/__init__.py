"""The live SLA board: `GET /board`, a page (phone-sized too) of open tickets by time to breach,
each clock counting down and colored at 75 %, 90 % and breached, kept current by server-sent
events without a reload.

- `rows`: the pure computation (levels, order); `view`: the in-memory read model following
  sla-timer's event log; `feed`: one LISTEN per process, debounced, waking the streams; `sse`:
  one stream; `http`: `/board/data` and `/board/events`; `gate`: the page and the query token
  of the event stream (and why only there); `page`: the HTML, CSS and JavaScript.

`install(runtime, app, pool)` wires it into sla-timer's runtime (after the token guard).
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from hotline.runtime import ServiceRuntime
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.board.feed import BoardFeed
from hotline_sla_timer.board.gate import BoardGate
from hotline_sla_timer.board.http import board_router
from hotline_sla_timer.board.view import BoardView


def install(runtime: ServiceRuntime, app: SlaTimerApplication,
            pool: Callable[[], asyncpg.Pool | None]) -> BoardFeed:
    feed = BoardFeed(BoardView(app))
    runtime.http.include_router(board_router(feed))
    runtime.http.add_middleware(BoardGate)  # added last, so it runs before the guard
    channel = app.recorder.channel_name  # type: ignore[attr-defined]
    runtime.add_task("board-feed", lambda: feed.run(pool(), channel))
    runtime.on_stop(feed.close)
    return feed
