"""The SLA board over real HTTP (uvicorn on a free port, the token guard in front): the page is
public and holds no data; the event stream takes its token as a query parameter (no token or a
bad one: 401, an agent's: the board at once, again when the feed wakes, heartbeats between),
no other route does; a client that goes away leaves no subscriber behind; closing the feed ends
every stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.devstack.ports import HOST, free_port
from hotline.eventstore import popo_env
from hotline.identity import Principal, Role, guard
from hotline.identity.tokens import digest
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.board.feed import BoardFeed
from hotline_sla_timer.board.gate import BoardGate
from hotline_sla_timer.board.http import board_router
from hotline_sla_timer.board.view import BoardView

UTC = timezone.utc
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles")).astimezone(UTC)
AGENT, AUDITOR = "token-agent", "token-auditor"


class Tokens:
    """The authenticator's interface, with a fixed set of tokens."""

    def __init__(self) -> None:
        self.by_hash = {digest(AGENT): Principal("t-agent", Role.AGENT),
                        digest(AUDITOR): Principal("t-auditor", Role.AUDITOR)}

    def verify(self, token: str) -> Principal | None:
        return self.by_hash.get(digest(token))


def open_ticket(app: SlaTimerApplication, number: str, position: int) -> None:
    ticket_id = contracts.ticket_id_for(number)
    data = contracts.TicketOpened(
        ticket_id=ticket_id, ticket_number=number, customer="Acme Corp", location="x", issue="i",
        description="d", priority=1, channel="email", contact="noc@acme.example",
        received_at=MONDAY_9, off_hours=False)
    app.take(CloudEvent(id=f"{ticket_id}:{position}", source="/hotline/intake", type=data.ce_type,
                        time=datetime.now(UTC), subject=number, position=position, data=data))


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, SlaTimerApplication, BoardFeed]]:
    app = SlaTimerApplication(env=popo_env(), clock=FixedClock(MONDAY_9))
    open_ticket(app, "T-000201", 1)
    feed = BoardFeed(BoardView(app), debounce=0.05)
    http = FastAPI()
    http.include_router(board_router(feed, heartbeat=0.3))
    guard.install(http, Tokens())  # type: ignore[arg-type]
    http.add_middleware(BoardGate)  # as `board.install` does: after the guard, so before it
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(http, host=HOST, port=port, log_config=None,
                                           access_log=False, lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://{HOST}:{port}", app, feed
    finally:
        await feed.close()
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event name, data) of each SSE event, ("comment", text) of each comment line."""
    name, data = "message", []
    async for line in response.aiter_lines():
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and data:
            yield name, "\n".join(data)
            name, data = "message", []


async def test_the_page_is_public_and_carries_no_data(served):
    url, _, _ = served
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/board")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert '<meta name="viewport"' in response.text and "T-000201" not in response.text
    assert "script-src 'sha256-" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("query", "reason"), [("", "missing_token"), ("?token=", "missing_token"),
                                               ("?token=nope", "invalid_token")])
async def test_the_stream_refuses_no_token_or_a_bad_one(served, query, reason):
    url, _, _ = served
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.get(f"/board/events{query}")
    assert response.status_code == 401
    assert response.json()["detail"]["reason"] == reason


async def test_only_the_stream_takes_a_query_token_the_data_wants_the_header(served):
    url, _, _ = served
    async with httpx.AsyncClient(base_url=url) as client:
        refused = await client.get(f"/board/data?token={AGENT}")
        data = await client.get("/board/data", headers={"Authorization": f"Bearer {AUDITOR}"})
    assert refused.status_code == 401 and refused.json()["detail"]["reason"] == "missing_token"
    assert data.status_code == 200
    assert [r["ticket"] for r in data.json()["rows"]] == ["T-000201"]


async def test_an_agent_gets_the_board_at_once_then_on_each_change_and_heartbeats(served):
    url, app, feed = served
    follow = asyncio.create_task(feed.follow())
    try:
        async with httpx.AsyncClient(base_url=url, timeout=10) as client, \
                client.stream("GET", f"/board/events?token={AGENT}") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            received = events(response)
            name, data = await anext(received)
            assert name == "board" and [r["ticket"] for r in json.loads(data)["rows"]] == ["T-000201"]
            assert len(feed.subscribers) == 1
            assert await anext(received) == ("comment", "heartbeat")
            open_ticket(app, "T-000202", 2)
            feed.notified()  # what the NOTIFY of the insert does
            async for name, data in received:
                if name == "board":
                    break
            assert {r["ticket"] for r in json.loads(data)["rows"]} == {"T-000201", "T-000202"}
        for _ in range(100):  # the client went away: its subscription ends with its response
            if not feed.subscribers:
                break
            await asyncio.sleep(0.05)
        assert feed.subscribers == set()
    finally:
        follow.cancel()
        await asyncio.gather(follow, return_exceptions=True)


async def test_closing_the_feed_ends_every_stream(served):
    url, _, feed = served
    async with httpx.AsyncClient(base_url=url, timeout=10) as client, \
            client.stream("GET", f"/board/events?token={AGENT}") as response:
        received = events(response)
        assert (await anext(received))[0] == "board"
        await feed.close()
        rest = [e async for e in received]  # the response ends
    assert all(name == "comment" for name, _ in rest)
    assert feed.subscribers == set()
