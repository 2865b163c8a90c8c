"""Replaying a service's event store: every stored event in log order, decoded, and folded into
its aggregates: what rebuilding a read model does.

`replay` reads the log in pages through the recorder's `select_notifications` and fetches the
next page in a worker thread while the current one is decoded (the database round trip and
psycopg's row building release the GIL), so a replay costs about the larger of reading and
decoding, not their sum (measured by `make bench`). `topic_prefixes` leaves out, before they are
decoded, events of other aggregates. `fold` applies the events to their aggregates, as
`repository.get` does one aggregate at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID

PAGE = 10_000


def replay(app: Any, *, topic_prefixes: tuple[str, ...] = (), page: int = PAGE) -> Iterator[Any]:
    """`app`'s stored events, decoded, in log order."""
    select, decode = app.recorder.select_notifications, app.mapper.to_domain_event
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay") as reader:
        pending = reader.submit(select, 1, page)
        while notifications := pending.result():
            pending = reader.submit(select, notifications[-1].id + 1, page)
            for notification in notifications:
                if not topic_prefixes or notification.topic.startswith(topic_prefixes):
                    yield decode(notification)


def fold(events: Iterable[Any]) -> dict[UUID, Any]:
    """Each aggregate as its events make it (the latest version of every one)."""
    aggregates: dict[UUID, Any] = {}
    for event in events:
        aggregates[event.originator_id] = event.mutate(aggregates.get(event.originator_id))
    return aggregates


def topic_prefix(aggregate_class: type) -> str:
    """The stored topic prefix of `aggregate_class`'s events (`module:Class.`)."""
    return f"{aggregate_class.__module__}:{aggregate_class.__qualname__}."
