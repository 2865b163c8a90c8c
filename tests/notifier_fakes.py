"""Building blocks for notifier delivery tests: an in-memory NotifierApplication, owed
notifications, a channel that answers each recipient as told, and a dispatcher running on them."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline_notifier.adapters.smtp import SmtpSender, wire_bytes
from hotline_notifier.application import NotifierApplication
from hotline_notifier.delivery.dispatcher import Dispatcher
from hotline_notifier.delivery.relay_watch import RelayWatch
from hotline_notifier.domain.delivery import Delivered, RetrySchedule
from hotline_notifier.domain.notification import Notification

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
QUICK = RetrySchedule(max_attempts=3, base=timedelta(seconds=0.05), jitter=0.0)


def owe(app: NotifierApplication, cause: str, recipient: str = "noc@acme.example",
        **fields: Any) -> Notification:
    notification = Notification(**{"cause": cause, "kind": "confirmation", "recipient": recipient,
                                   "subject": f"Ticket {cause} opened", "body": "We have it.",
                                   "ticket_number": cause, "trace_context": {}, **fields})
    app.save(notification)
    return notification


def history(app: NotifierApplication, notification: Notification) -> list[tuple[str, Any]]:
    """(event name, its error or reply) of each of the notification's events."""
    return [(type(e).__name__, getattr(e, "error", None) or getattr(e, "reply", None))
            for e in app.repository.event_store.get(notification.id)]


class ScriptedChannel:
    """Answers each recipient as told (`answer(recipient, *answers)`: outcomes, exceptions to
    raise, or functions giving either; the last one repeats; default `Delivered`), after its
    `delays[recipient]` seconds."""

    def __init__(self) -> None:
        self.scripts: dict[str, list[Any]] = {}
        self.delays: dict[str, float] = {}
        self.calls: Counter[str] = Counter()
        self.delivered: list[tuple[str, float]] = []  # (recipient, monotonic instant)
        self.in_flight = 0
        self.most_in_flight = 0

    def answer(self, recipient: str, *answers: Any) -> None:
        self.scripts[recipient] = list(answers)

    async def deliver(self, notification: Notification) -> Any:
        self.calls[notification.recipient] += 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delays.get(notification.recipient, 0))
            script = self.scripts.get(notification.recipient) or [Delivered("250 OK")]
            answer = script.pop(0) if len(script) > 1 else script[0]
            if callable(answer):
                answer = answer()
            if isinstance(answer, BaseException):
                raise answer
            if isinstance(answer, Delivered):
                self.delivered.append((notification.recipient, time.monotonic()))
            return answer
        finally:
            self.in_flight -= 1


def dispatcher_for(channel: ScriptedChannel, *, app: NotifierApplication | None = None,
                   schedule: RetrySchedule = QUICK, concurrency: int = 8,
                   relay: RelayWatch | None = None) -> Dispatcher:
    app = app or NotifierApplication(env=popo_env())
    return Dispatcher(app, {"email": channel, "webhook": channel}, FixedClock(NOW), relay=relay,
                      schedule=schedule, concurrency=concurrency, poll_seconds=0.02)


@contextlib.asynccontextmanager
async def serving(dispatcher: Dispatcher) -> AsyncIterator[asyncio.Task]:
    task = asyncio.create_task(dispatcher.serve())
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def until(condition: Callable[[], bool], timeout: float = 5.0, task: asyncio.Task | None = None
                ) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if task is not None and task.done():
            task.result()
        assert time.monotonic() < deadline, "timed out waiting"
        await asyncio.sleep(0.01)


def read_back(notification: Notification) -> EmailMessage:
    """The email of `notification` as the relay receives it, read back."""
    sender = SmtpSender("smtp://127.0.0.1:9", "Hotline Support <support@hotline.example>")
    return BytesParser(policy=policy.default).parsebytes(wire_bytes(sender.email_of(notification)))
