"""The dispatcher against real PostgreSQL and a real SMTP server: while the relay is down
each attempt is recorded as a failure and nothing is skipped; when it comes back the
confirmation is sent exactly once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from uuid import uuid4

import asyncpg
import pytest
from aiosmtpd.controller import Controller

from hotline.clock import SystemClock
from hotline.contracts import TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline.devstack.ports import free_port
from hotline.eventstore import ensure_schema, postgres_env
from hotline.follower import LogPositions
from hotline_notifier.adapters.smtp import SmtpSender
from hotline_notifier.application import NotifierApplication
from hotline_notifier.dispatcher import Dispatcher
from hotline_notifier.domain.notification import notification_id

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        self.messages.append(envelope.original_content)
        return "250 OK"


async def test_confirmation_survives_an_smtp_outage_and_is_sent_once(infra, schema):
    await asyncio.to_thread(ensure_schema, infra.database_url, schema)
    app = await asyncio.to_thread(NotifierApplication, env=postgres_env(infra.database_url, schema))
    ticket_id = uuid4()
    data = TicketOpened(ticket_id=ticket_id, ticket_number="T-000077", customer="Acme Corp",
                        location="100 Main St, Springfield", issue="x", description="y",
                        priority=2, channel="email", contact="noc@acme.example",
                        received_at=NOW, off_hours=False)
    event = CloudEvent(id=f"{ticket_id}:1", source="/hotline/intake", type=data.ce_type,
                       time=NOW, subject="T-000077", position=1, data=data)
    await asyncio.to_thread(app.take, event)

    port = free_port()
    pool = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=3)
    dispatcher = Dispatcher(app, SmtpSender(f"smtp://127.0.0.1:{port}", "support@hotline.example"),
                            LogPositions(pool, schema), SystemClock(), max_backoff=0.3)
    task = asyncio.create_task(dispatcher.run())
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    try:
        the_id = notification_id(str(ticket_id), "confirmation")
        async with asyncio.timeout(20):
            while (await asyncio.to_thread(app.repository.get, the_id)).attempts < 2:
                await asyncio.sleep(0.1)  # the relay is down: attempts fail and are recorded
        controller.start()
        async with asyncio.timeout(20):
            while not inbox.messages:
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        controller.stop()
        await pool.close()
    assert len(inbox.messages) == 1
    assert b"T-000077" in inbox.messages[0]
    history = [type(e).__name__ for e in app.repository.event_store.get(the_id)]
    assert history[0] == "Requested" and history[-1] == "Sent"
    assert history.count("Failed") >= 2 and history.count("Sent") == 1
