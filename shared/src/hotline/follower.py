"""Following an application's notification log from async code.

`follow_log` reads the events table with asyncpg, a page at a time, in notification-id order,
and waits on the recorder's LISTEN channel (eventsourcing NOTIFYs it in every insert
transaction) when it has caught up. Reading `notification_id > position` cannot pass over a
gap that fills later: eventsourcing's PostgreSQL recorder locks the table while it takes ids
and commits, so ids become visible in order. Pages are decoded in the event loop with the
application's own mapper; nothing is read ahead of the caller, which is the back-pressure.
A writer in the same process can offer what it just committed (`RecentEvents`), which the
follower then takes without reading it back.

A follower that wants only some kinds of event (`publishes`: a relay's public event classes)
gets None in place of every other event read from the table, undecoded: the notifier's two
relays decoded each notification's request, body and HTML included, twice over to drop it
(11 % of its GIL-holding samples in the surge, 1 % after).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from hotline.log_positions import LogPositions  # noqa: F401  (re-exported: where it was)
from hotline.waking import woken

Entry = tuple[Any, int]
"""(domain event, notification id); the event is None when the follower does not want it"""


class RecentEvents:
    """Events this process has just committed, offered to its follower so that it need not
    read them back and decode them (sla-timer's firing loop → its relay, under a burst).

    A writer calls `committed(entries)` after its transaction committed, from any thread.
    The follower takes a batch only when it starts right after the follower's position: ids
    are taken and committed under eventsourcing's table lock, so nothing else can lie
    between. Otherwise (another writer, another instance, a rolled-back id) it reads the
    table. Nothing is kept while no follower runs in this process, and at most `limit`
    entries while it is behind."""

    def __init__(self, limit: int = 5000) -> None:
        self._limit = limit
        self._batches: deque[list[Entry]] = deque()
        self._size = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def committed(self, entries: list[Entry]) -> None:
        loop = self._loop
        if loop is not None and entries:
            loop.call_soon_threadsafe(self._add, entries)

    def _attach(self, wake: asyncio.Event | None) -> None:
        self._loop = asyncio.get_running_loop() if wake is not None else None
        self._wake = wake
        self._batches.clear()
        self._size = 0

    def _add(self, entries: list[Entry]) -> None:
        if self._wake is None:
            return
        self._batches.append(entries)
        self._size += len(entries)
        while self._size > self._limit:
            self._size -= len(self._batches.popleft())
        self._wake.set()

    async def _next(self, after: int, grace: float) -> list[Entry] | None:
        """The batch that comes right after `after`, if this process committed it; waits
        `grace` seconds for it when the log's NOTIFY came before the writer's hand-over."""
        entries = self._take(after)
        if entries is None and grace:
            await asyncio.sleep(grace)
            entries = self._take(after)
        return entries

    def _take(self, after: int) -> list[Entry] | None:
        while self._batches and self._batches[0][-1][1] <= after:
            self._size -= len(self._batches.popleft())
        if self._batches and self._batches[0][0][1] == after + 1:
            batch = self._batches.popleft()
            self._size -= len(batch)
            return batch
        return None


async def follow_log(
    app: Application, pool: asyncpg.Pool, after: int, *, batch_size: int = 500,
    linger: float = 0.005, poll_seconds: float = 1.0, recent: RecentEvents | None = None,
    publishes: tuple[type, ...] | None = None,
) -> AsyncIterator[list[Entry]]:
    """Yield batches of (domain event, notification id) recorded after position `after`.

    When a page would be short, wait `linger` seconds and read on first: under a burst this
    makes batches large (each batch costs the caller a round trip), at rest it adds only a
    few milliseconds. Without a NOTIFY it still looks every `poll_seconds`. With `recent`,
    events this process just committed are taken from memory when they come next. With
    `publishes`, an event read from the table that is of none of those classes (nor a subclass)
    comes as None, undecoded; its position still comes."""
    wanted = wanted_topics(publishes)
    recorder = app.recorder
    schema, table = recorder.datastore.schema, recorder.events_table_name  # type: ignore[attr-defined]
    select = (f'SELECT notification_id, originator_id, originator_version, topic, state '
              f'FROM "{schema}"."{table}" WHERE notification_id > $1 ORDER BY notification_id LIMIT $2')
    wake = asyncio.Event()

    def notified(*_: Any) -> None:
        wake.set()

    async with pool.acquire() as conn:
        channel = recorder.channel_name  # type: ignore[attr-defined]
        await conn.add_listener(channel, notified)  # before the first read: no NOTIFY is missed
        if recent is not None:
            recent._attach(wake)
        try:
            while True:
                wake.clear()
                if recent is not None and (entries := await recent._next(after, linger)) is not None:
                    after = entries[-1][1]
                    yield entries
                    continue
                rows = await conn.fetch(select, after, batch_size)
                if 0 < len(rows) < batch_size and linger:
                    await asyncio.sleep(linger)
                    rows += await conn.fetch(select, rows[-1]["notification_id"], batch_size - len(rows))
                if not rows:
                    await woken(wake, poll_seconds)
                    continue
                after = rows[-1]["notification_id"]
                yield [(_domain_event(app, row) if wanted(row["topic"]) else None,
                        row["notification_id"]) for row in rows]
        finally:
            if recent is not None:
                recent._attach(None)
            with contextlib.suppress(Exception):
                await conn.remove_listener(channel, notified)


def wanted_topics(publishes: tuple[type, ...] | None) -> Callable[[str], bool]:
    """Whether a stored event's topic names one of `publishes` or a subclass (always, without
    `publishes`), resolved once per topic. A topic that does not resolve is wanted: decoding it
    raises what it always did, where it always did."""
    if publishes is None:
        return lambda _topic: True
    known: dict[str, bool] = {}

    def wanted(topic: str) -> bool:
        if (found := known.get(topic)) is None:
            try:
                cls = resolve_topic(topic)
            except Exception:  # noqa: BLE001 (decoded, and fails there as before)
                found = True
            else:
                found = not isinstance(cls, type) or issubclass(cls, publishes)
            known[topic] = found
        return found

    return wanted


def _domain_event(app: Application, row: asyncpg.Record) -> Any:
    return app.mapper.to_domain_event(StoredEvent(
        originator_id=UUID(bytes=row["originator_id"].bytes), originator_version=row["originator_version"],
        topic=row["topic"], state=row["state"]))
