"""The dispatcher against real PostgreSQL and a real SMTP server: while the relay is down no
attempt is counted against the confirmation and nothing is skipped; when it comes back the
confirmation is sent exactly once. A notification that cannot be sent is recorded as failed
for good and the ones after it are still sent. A dispatcher whose lock session is terminated
stops, and its standby sends the rest: no email twice. What the dispatcher claims together is
loaded with one query, as `repository.get` loads each."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from email import policy
from email.parser import BytesParser
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
from hotline.writer_lock import LockLost
from hotline_notifier.delivery.dispatcher import Dispatcher
from hotline_notifier.delivery.relay_watch import RelayWatch
from hotline_notifier.domain.delivery import Delivered, Undelivered
from hotline_notifier.domain.notification import Notification, notification_id
from test_writer_lock import terminate_lock_session

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        self.messages.append(envelope.original_content)
        return "250 OK"


@contextlib.asynccontextmanager
async def dispatching(infra, schema: str, app: NotifierApplication
                      ) -> AsyncIterator[tuple[asyncio.Task, Controller, Inbox]]:
    """The dispatcher running against an SMTP server on a free port, which is not started yet."""
    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    pool = await asyncpg.create_pool(infra.database_url, min_size=1, max_size=3)
    dispatcher = dispatcher_for(app, port)
    task = asyncio.create_task(dispatcher.run(LogPositions(pool, schema)))
    try:
        yield task, controller, inbox, dispatcher
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        with contextlib.suppress(AssertionError, AttributeError):  # never started
            controller.stop()
        await pool.close()


def dispatcher_for(app: NotifierApplication, port: int) -> Dispatcher:
    email = SmtpSender(f"smtp://127.0.0.1:{port}", "support@hotline.example")
    return Dispatcher(app, {"email": email}, SystemClock(), relay=RelayWatch(email.probe, 0.2))


async def notifier_app(infra, schema: str) -> NotifierApplication:
    await asyncio.to_thread(ensure_schema, infra.database_url, schema)
    return await asyncio.to_thread(NotifierApplication, env=postgres_env(infra.database_url, schema))


async def test_confirmation_survives_an_smtp_outage_and_is_sent_once(infra, schema):
    app = await notifier_app(infra, schema)
    ticket_id = uuid4()
    data = TicketOpened(ticket_id=ticket_id, ticket_number="T-000077", customer="Acme Corp",
                        location="100 Main St, Springfield", issue="x", description="y",
                        priority=2, channel="email", contact="noc@acme.example",
                        received_at=NOW, off_hours=False)
    event = CloudEvent(id=f"{ticket_id}:1", source="/hotline/intake", type=data.ce_type,
                       time=NOW, subject="T-000077", position=1, data=data)
    await asyncio.to_thread(app.take, event)

    async with dispatching(infra, schema, app) as (task, controller, inbox, dispatcher):
        the_id = notification_id(str(ticket_id), "confirmation", "noc@acme.example")
        async with asyncio.timeout(20):
            while not dispatcher.relay.down:
                await asyncio.sleep(0.05)  # the relay refuses connections: every email waits
        await asyncio.sleep(1.0)  # a few probes fail meanwhile
        assert (await asyncio.to_thread(app.repository.get, the_id)).attempts == 0
        controller.start()
        async with asyncio.timeout(20):
            while not inbox.messages:
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
    assert len(inbox.messages) == 1
    assert b"T-000077" in inbox.messages[0]
    history = [type(e).__name__ for e in app.repository.event_store.get(the_id)]
    assert history == ["Requested", "Sent"], "no attempt counted while the relay was down"
    assert not dispatcher.relay.down


async def test_a_poison_notification_is_recorded_failed_and_the_next_is_still_sent(infra, schema):
    """Reproduced on main before: a line break in a header value made composing the email fail,
    the dispatcher crashed on it and restarted forever, and nothing after it was sent."""
    app = await notifier_app(infra, schema)
    owed = [Notification(cause=f"c{i}", kind="confirmation", recipient=recipient, subject=subject,
                         body="We have it.", ticket_number=f"T-00010{i}", trace_context={})
            for i, (recipient, subject) in enumerate([
                ("noc@acme.example\r\nBcc: everyone@example.com", "Ticket T-000100"),  # unsendable
                ("noc@acme.example", "Ticket T-000101: line\nbreak"),  # sent, on one line
                ("noc@acme.example", "Ticket T-000102")])]
    await asyncio.to_thread(app.save, *owed)

    async with dispatching(infra, schema, app) as (task, controller, inbox, _):
        controller.start()
        async with asyncio.timeout(20):
            while len(inbox.messages) < 2:
                if task.done():
                    task.result()
                await asyncio.sleep(0.1)
    subjects = [BytesParser(policy=policy.default).parsebytes(m)["Subject"] for m in inbox.messages]
    assert sorted(subjects) == ["Ticket T-000101: line break", "Ticket T-000102"]  # concurrently
    first = app.repository.get(owed[0].id)
    assert first.given_up and not first.pending
    [failed] = [e for e in app.repository.event_store.get(owed[0].id) if type(e).__name__ == "Failed"]
    assert "invalid address" in failed.error and failed.will_retry is False


class SlowInbox(Inbox):
    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        await asyncio.sleep(0.03)  # a relay that takes its time: the kill lands mid-stream
        return await super().handle_DATA(server, session, envelope)


async def test_a_dispatcher_that_loses_its_lock_stops_and_no_email_goes_twice(infra, schema):
    app = await notifier_app(infra, schema)
    owed = [Notification(cause=f"c{i}", kind="confirmation", recipient="noc@acme.example",
                         subject=f"Ticket T-{i:06d}", body="We have it.", ticket_number=f"T-{i:06d}",
                         trace_context={}) for i in range(60)]
    await asyncio.to_thread(app.save, *owed)
    port = free_port()
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    pool = await asyncpg.create_pool(infra.database_url, min_size=2, max_size=6)
    dispatchers = [dispatcher_for(app, port) for _ in range(2)]
    first = asyncio.create_task(dispatchers[0].run(LogPositions(pool, schema)))
    second = None
    try:
        async with asyncio.timeout(20):
            while dispatchers[0].sent < 10:
                await asyncio.sleep(0.02)
        second = asyncio.create_task(dispatchers[1].run(LogPositions(pool, schema)))  # the standby
        await asyncio.sleep(0.1)
        await terminate_lock_session(pool, schema, "dispatcher")
        with pytest.raises(LockLost):
            await asyncio.wait_for(first, 5)
        async with asyncio.timeout(30):
            while len(inbox.messages) < len(owed):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
    finally:
        tasks = [t for t in (first, second) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        controller.stop()
        await pool.close()
    ids = Counter(BytesParser(policy=policy.default).parsebytes(m)["Message-ID"] for m in inbox.messages)
    assert len(ids) == len(owed) and ids.most_common(1)[0][1] == 1, "each email once"
    assert dispatchers[1].sent > 0 and dispatchers[0].sent + dispatchers[1].sent == len(owed)


async def test_notifications_claimed_together_load_as_the_repository_loads_each(infra, schema):
    app = await notifier_app(infra, schema)
    owed = [Notification(cause=f"c{i}", kind="confirmation", recipient="noc@acme.example",
                         subject=f"Ticket T-00020{i}", body="We have it.",
                         ticket_number=f"T-00020{i}", trace_context={}) for i in range(3)]
    await asyncio.to_thread(app.save, *owed)
    app.record_outcomes([(owed[0], Delivered("250 OK"), NOW, None),
                         (owed[1], Undelivered("451 later"), NOW, NOW)])
    app.record_outcomes([(owed[1], Delivered("250 OK"), NOW, None)])
    ids = [n.id for n in owed] + [uuid4()]  # and one that does not exist
    loaded = await asyncio.to_thread(app.load_notifications, ids)
    assert set(loaded) == {n.id for n in owed}
    for n in owed:
        assert vars(loaded[n.id]) == vars(app.repository.get(n.id))
    assert [loaded[n.id].attempts for n in owed] == [1, 2, 0]
