"""The dispatcher: delivers what the delivery index says is due, at most `concurrency` at a time.

It claims due notifications (oldest due first, only as many as there are free slots), and
delivers each in its own task by its channel (`email`: SMTP, `webhook`: HTTP), recording the
attempt as an event (`Sent` with the reply, or `Failed` with the next attempt's instant from the
`RetrySchedule`, on the system clock); attempts that finish together are recorded in one
transaction (`outcomes.OutcomeWriter`). A slow or failing recipient holds one slot for one
attempt, never the others: its retry is a row in the index, not a wait. It wakes when a
notification is saved (the recorder's NOTIFY), when a slot frees, when the next row falls due,
when the relay is back, and at least every `poll_seconds`.

While the SMTP relay is down (`RelayWatch`) no email is claimed; one met mid-attempt goes back
to the index untouched, with no attempt counted. Anything else that goes wrong with one
notification (an email that cannot be composed, a bug) is recorded as its permanent `Failed`,
with the reason, and the others go on. Only what every notification would meet alike (the
database is down) stops the dispatcher; it restarts and resumes from the index.

One dispatcher delivers at a time: it holds the checked single-writer lock (`hotline.writer_lock`)
and confirms it before each send (`lock.acting()`); a dispatcher that lost it stops before a
standby starts. A new holder first frees the claims its predecessor left.

What the relay took is recorded whatever happens meanwhile (`_record_surely`): through a
database outage (tried again every `RECORD_RETRY_SECONDS`, up to `record_patience` seconds) and
through the dispatcher being stopped (the stop waits for it), each try from the notification's
saved state, and done when that state shows it recorded. Only a crash of the process between
handing an email to the relay and recording `Sent`, or an outage longer than the patience,
sends it again, with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from typing import Protocol
from uuid import UUID

from hotline import shutdown
from hotline.clock import Clock, SystemClock
from hotline.log_positions import LogPositions
from hotline.settling import TRANSIENT
from hotline.telemetry import tracer, use_trace_context
from hotline.waking import woken
from hotline.writer_lock import LockLost, WriterLock
from opentelemetry.trace import SpanKind

from hotline_notifier.application import NotifierApplication
from hotline_notifier.delivery.outcomes import OutcomeWriter
from hotline_notifier.delivery.relay_watch import RelayWatch
from hotline_notifier.domain.delivery import (
    Delivered,
    Outcome,
    RelayDown,
    RetrySchedule,
    Undelivered,
)
from hotline_notifier.domain.notification import Notification

log = logging.getLogger(__name__)

FOLLOWER = "dispatcher"  # names the single-writer lock (and its row in log_positions)
RECORD_RETRY_SECONDS = 0.5
RECORD_PATIENCE_SECONDS = 120.0


class Channel(Protocol):
    async def deliver(self, notification: Notification) -> Outcome: ...


async def _relay_never_down() -> None:
    return None


class Dispatcher:
    def __init__(self, app: NotifierApplication, channels: Mapping[str, Channel], clock: Clock, *,
                 relay: RelayWatch | None = None,
                 schedule: RetrySchedule | None = None, concurrency: int = 8,
                 infra_clock: Clock | None = None, poll_seconds: float = 1.0,
                 rng: random.Random | None = None) -> None:
        self.app = app
        self.channels = channels
        self.clock = clock  # the stack's: sent_at, failed_at
        self.infra_clock = infra_clock or SystemClock()  # due instants of attempts
        self.relay = relay or RelayWatch(_relay_never_down)
        self.relay.on_up = self.wake
        self.schedule = schedule or RetrySchedule()
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        self.rng = rng or random.Random()
        self.sent = 0
        self.attempts: Counter[tuple[str, str]] = Counter()  # (channel, sent|retrying|given-up)
        self.in_flight: set[UUID] = set()
        self.lock: WriterLock | None = None  # held while `run` runs
        self.outcomes = OutcomeWriter(app, clock)
        self.record_patience = RECORD_PATIENCE_SECONDS  # how long a sent outcome waits for the database
        self._wake = asyncio.Event()

    async def run(self, positions: LogPositions) -> None:
        """Deliver under the single-writer lock (held in `positions`' schema), until cancelled."""
        await positions.setup()
        async with positions.exclusive(FOLLOWER) as self.lock:
            await asyncio.to_thread(self.app.deliveries.release_all_claims)
            if await asyncio.to_thread(self.app.deliveries.count_deliveries) == 0:
                found = await asyncio.to_thread(self.app.rebuild_delivery_index)
                if found:
                    log.info("delivery index rebuilt from the log: %d notifications", found)
            async with self._listening(positions):
                await self.serve()

    def wake(self) -> None:
        self._wake.set()

    async def close(self) -> None:
        """Close the channels' connections (at shutdown)."""
        for channel in self.channels.values():
            if (close := getattr(channel, "close", None)) is not None:
                await close()

    async def serve(self) -> None:
        """Claim and deliver what falls due, until cancelled."""
        self.in_flight.clear()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(self.relay.watch())
            tasks.create_task(self.outcomes.run())
            while True:
                self._wake.clear()
                now = self.infra_clock.now()
                paused = ("email",) if self.relay.down else ()
                claimed, next_due = await asyncio.to_thread(
                    self._claim, now, self.concurrency - len(self.in_flight), paused)
                for notification_id, notification in claimed:
                    self.in_flight.add(notification_id)
                    tasks.create_task(self._attempt(notification_id, notification))
                await self._idle(now, next_due)

    def _claim(self, now: datetime, limit: int, paused: tuple[str, ...]
               ) -> tuple[list[tuple[UUID, Notification | None]], datetime | None]:
        """Claim what is due and load it (one query for all), in one trip to a worker thread; a
        notification that does not load is left for its attempt to load again (and meet its
        error there)."""
        claimed, next_due = self.app.deliveries.claim_due_deliveries(now, limit, paused)
        try:
            together = self.app.load_notifications(claimed)
            return [(i, together.get(i)) for i in claimed], next_due
        except TRANSIENT:
            raise
        except Exception:  # noqa: BLE001 (one of them does not load: each on its own, below)
            pass
        loaded: list[tuple[UUID, Notification | None]] = []
        for notification_id in claimed:
            try:
                loaded.append((notification_id, self.app.repository.get(notification_id)))
            except TRANSIENT:
                raise
            except Exception:  # noqa: BLE001 (its attempt records why)
                loaded.append((notification_id, None))
        return loaded, next_due

    async def _idle(self, now: datetime, next_due: datetime | None) -> None:
        wait = self.poll_seconds
        if next_due is not None and len(self.in_flight) < self.concurrency:
            wait = min(wait, max((next_due - now).total_seconds(), 0.005))
        await woken(self._wake, wait)

    async def _attempt(self, notification_id: UUID, notification: Notification | None = None) -> None:
        try:
            async with shutdown.critical():  # a send in hand is recorded before the service exits
                await self._attempt_once(notification_id, notification)
        except LockLost:
            pass  # the lock stops this dispatcher; the next holder frees the claim
        finally:
            self.in_flight.discard(notification_id)
            self._wake.set()

    async def _attempt_once(self, notification_id: UUID, notification: Notification | None) -> None:
        """One attempt at one notification; whatever goes wrong with it stays with it."""
        try:
            if notification is None:
                notification = await asyncio.to_thread(self.app.repository.get, notification_id)
            if notification.pending:
                await self._deliver(notification)
            else:
                log.warning("claimed notification %s is not pending; left alone", notification_id)
        except (LockLost, *TRANSIENT):
            raise
        except Exception as exc:
            log.exception("notification %s failed; recorded as given up", notification_id)
            await self._give_up(notification_id, f"{type(exc).__name__}: {exc}")

    async def _deliver(self, notification: Notification) -> None:
        channel = self.channels.get(notification.channel)
        with use_trace_context(notification.trace_context), tracer(__name__).start_as_current_span(
                f"{notification.channel} send {notification.kind}", kind=SpanKind.CLIENT) as span:
            span.set_attribute("hotline.notification_id", str(notification.id))
            span.set_attribute("hotline.attempt", notification.attempts + 1)
            async with self._acting():
                try:
                    outcome = (await channel.deliver(notification) if channel is not None else
                               Undelivered(f"no channel {notification.channel!r}", permanent=True))
                except RelayDown as down:
                    self.relay.went_down(str(down))
                    await asyncio.to_thread(self.app.deliveries.release_claims, [notification.id])
                    return
                await self._record_surely(notification, outcome)

    async def _record_surely(self, notification: Notification, outcome: Outcome) -> None:
        """Record the outcome of a send that happened: not recorded, it would happen again.
        Holds on through cancellation (raised again once recorded) and database outages (up to
        `record_patience` seconds), trying again from the saved state each time."""
        give_up = asyncio.get_running_loop().time() + self.record_patience
        cancelled, before = False, notification.attempts  # a write mutates `notification`
        while True:
            try:
                await self._record(notification, outcome)
                break
            except asyncio.CancelledError:
                cancelled = True
            except (LockLost, *TRANSIENT) as exc:
                if asyncio.get_running_loop().time() > give_up:
                    raise
                log.warning("could not record an outcome yet; trying again", extra={
                    "notification": str(notification.id), "error": f"{type(exc).__name__}: {exc}"})
            try:
                await asyncio.sleep(RECORD_RETRY_SECONDS)
                saved = await asyncio.to_thread(self.app.repository.get, notification.id)
            except asyncio.CancelledError:
                cancelled = True
                continue
            except TRANSIENT:
                continue
            if saved.attempts > before:
                break  # the write had committed after all
            notification = saved
        if cancelled:
            raise asyncio.CancelledError

    async def _record(self, notification: Notification, outcome: Outcome) -> None:
        attempt, next_at = notification.attempts + 1, None
        if isinstance(outcome, Undelivered) and not outcome.permanent:
            next_at = self.schedule.next_attempt_at(attempt, self.infra_clock.now(), self.rng)
        await self.outcomes.record(notification, outcome, next_attempt_at=next_at)  # at: when written
        facts = {"ticket": notification.ticket_number, "recipient": notification.recipient,
                 "notification": str(notification.id), "attempt": attempt}
        if isinstance(outcome, Delivered):
            self.sent += 1
            self.attempts[notification.channel, "sent"] += 1
            log.info("%s sent", notification.kind, extra={**facts, "reply": outcome.reply})
            return
        self.attempts[notification.channel, "retrying" if next_at else "given-up"] += 1
        log.warning("%s delivery failed (attempt %d): %s; %s", notification.kind, attempt,
                    outcome.reason, f"next attempt at {next_at.isoformat()}" if next_at else "given up",
                    extra={**facts, "error": outcome.reason})

    async def _give_up(self, notification_id: UUID, error: str) -> None:
        """Record the notification's permanent failure, from its latest state; raises if even
        that fails (then it is not one notification's trouble)."""
        notification: Notification = await asyncio.to_thread(self.app.repository.get, notification_id)
        if notification.pending:
            async with self._acting():
                await self._record(notification, Undelivered(error, permanent=True))

    def _acting(self) -> contextlib.AbstractAsyncContextManager[None]:
        return self.lock.acting() if self.lock is not None else contextlib.nullcontext()

    @contextlib.asynccontextmanager
    async def _listening(self, positions: LogPositions) -> AsyncIterator[None]:
        """Woken by the NOTIFY of every insert into the notifier's events (a notification saved
        by this process or another)."""
        channel = self.app.recorder.channel_name  # type: ignore[attr-defined]
        def wake_up(*_: object) -> None:
            self._wake.set()

        async with positions.pool.acquire() as conn:
            await conn.add_listener(channel, wake_up)
            try:
                yield
            finally:
                with contextlib.suppress(Exception):  # the connection may be gone with the lock
                    await conn.remove_listener(channel, wake_up)
