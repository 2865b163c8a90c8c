"""The dispatcher: delivers owed notifications by following notifier's own event log.

For each `Notification.Requested` it loads the notification and, while it is
still pending, sends it; every attempt is recorded as an event (`Sent` or
`Failed`). Transient failures (relay down, 4xx) are retried with back-off
without skipping ahead, so order and nothing-lost hold; permanent ones (5xx) are
recorded as given up. A crash between handing the email to the relay and
recording `Sent` re-sends it on restart, with the same Message-ID.

No notification stops the others: any other exception while handling one (an email that
cannot be composed, a bug) is recorded as its permanent `Failed`, with the reason, and the
loop moves on. Only what every notification would meet alike stops the loop (the database is
down: it restarts and resumes), and so does a failure that cannot even be recorded.
Each send and each recorded outcome is a side effect under the checked single-writer lock
(`hotline.writer_lock`): a dispatcher that lost its lock stops before a standby starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from opentelemetry.trace import SpanKind

from hotline.clock import Clock
from hotline.follower import LogPositions, follow_log
from hotline.settling import TRANSIENT
from hotline.telemetry import tracer, use_trace_context
from hotline.writer_lock import LockLost, WriterLock
from hotline_notifier.adapters.smtp import PermanentDeliveryError, SmtpSender, TransientDeliveryError
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification

log = logging.getLogger(__name__)

FOLLOWER = "dispatcher"
RECORDED_FAILURES = 5  # attempts beyond this are retried without an event each


class Dispatcher:
    def __init__(self, app: NotifierApplication, sender: SmtpSender, positions: LogPositions,
                 clock: Clock, max_backoff: float = 60.0) -> None:
        self.app = app
        self.sender = sender
        self.positions = positions
        self.clock = clock
        self.max_backoff = max_backoff
        self.sent = 0
        self.lock: WriterLock | None = None  # held while `run` runs

    async def run(self) -> None:
        await self.positions.setup()
        async with self.positions.exclusive(FOLLOWER) as self.lock:
            position = await self.positions.load(FOLLOWER)
            batches = follow_log(self.app, self.positions.pool, position, batch_size=50)
            async with contextlib.aclosing(batches):  # its connection goes back at once
                async for batch in batches:
                    for domain_event, position in batch:
                        if isinstance(domain_event, Notification.Requested):
                            await self.handle(domain_event.originator_id)
                        await self.positions.save(FOLLOWER, position)

    async def handle(self, notification_id: Any) -> None:
        """Deliver one notification; whatever goes wrong with it stays with it."""
        try:
            await self.deliver(notification_id)
        except (LockLost, *TRANSIENT):
            raise
        except Exception as exc:
            log.exception("notification %s failed; recorded as given up", notification_id)
            await self._give_up(notification_id, f"{type(exc).__name__}: {exc}")

    async def deliver(self, notification_id: Any) -> None:
        notification: Notification = await asyncio.to_thread(self.app.repository.get, notification_id)
        delay = 0.5
        attempt = notification.attempts
        while notification.pending:
            attempt += 1
            with use_trace_context(notification.trace_context), tracer(__name__).start_as_current_span(
                f"smtp send {notification.kind}", kind=SpanKind.CLIENT
            ) as span:
                span.set_attribute("hotline.notification_id", str(notification.id))
                span.set_attribute("hotline.attempt", attempt)
                async with self._acting():
                    try:
                        await self.sender.send(self._message(notification))
                    except PermanentDeliveryError as exc:
                        await self._failed(notification, attempt, str(exc), will_retry=False)
                        return
                    except TransientDeliveryError as exc:
                        if attempt <= RECORDED_FAILURES:
                            await self._failed(notification, attempt, str(exc), will_retry=True)
                    else:
                        await asyncio.to_thread(self.app.record_sent, notification, attempt, self.clock.now())
                        self.sent += 1
                        log.info("%s sent", notification.kind, extra={
                            "ticket": notification.ticket_number, "recipient": notification.recipient,
                            "notification": str(notification.id)})
                        return
            await asyncio.sleep(delay)  # not under the lock: losing it meanwhile stops us here
            delay = min(delay * 2, self.max_backoff)

    def _acting(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self.lock.acting() if self.lock is not None else contextlib.nullcontext()

    def _message(self, notification: Notification):
        headers = {"X-Hotline-Notification": str(notification.id)}
        if notification.ticket_number:
            headers["X-Hotline-Ticket"] = notification.ticket_number
        return self.sender.compose(
            recipient=notification.recipient, subject=notification.subject,
            body=notification.body, message_id=notification.message_id, headers=headers,
        )

    async def _give_up(self, notification_id: Any, error: str) -> None:
        """Record the notification's permanent failure, from its latest state; raises if even
        that fails (then it is not one notification's trouble)."""
        notification: Notification = await asyncio.to_thread(self.app.repository.get, notification_id)
        if notification.pending:
            async with self._acting():
                await self._failed(notification, notification.attempts + 1, error[:1000], will_retry=False)

    async def _failed(self, notification: Notification, attempt: int, error: str, will_retry: bool) -> None:
        log.warning("%s delivery failed (attempt %d): %s", notification.kind, attempt, error)
        await asyncio.to_thread(
            self.app.record_failure, notification, attempt, error, self.clock.now(), will_retry)
