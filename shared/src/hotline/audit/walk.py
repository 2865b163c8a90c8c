"""Walking a hash chain: the first event that is not as it was chained, named precisely.

`walk(events, links, nearby, anchors)` merges the events and the chain's rows (both in
notification_id order) and recomputes each hash from the previous one. The first break is one of:

- `altered`: an event's content no longer gives its chain hash (or a chain row was edited);
- `deleted`: a chain row without its event, or a chain row whose predecessor is gone;
- `inserted`: an event after the chain's start without a chain row;
- `reordered`: an event whose content gives the hash chained under another notification_id
  (`nearby(n)` supplies the chain rows around n to look there);
- `start-deleted`: the chain's start row is gone (or the chain is empty while events exist);
- `rewritten`: the chain is consistent but disagrees with an anchor published earlier (the
  attacker rewrote events and chain alike), or an anchored event is no longer in it.

Events before the start row were stored before the chain existed: counted, not covered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from hotline.audit.chain import GENESIS, link


class Event(NamedTuple):
    notification_id: int
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


class Link(NamedTuple):
    notification_id: int
    prev_id: int | None
    hash: bytes


class Anchor(NamedTuple):
    notification_id: int
    hash: bytes
    anchored_at: str = ""


@dataclass(frozen=True)
class Break:
    notification_id: int
    kind: str
    text: str


@dataclass
class Walk:
    chained: int = 0
    unchained: int = 0  # events stored before the chain's start
    start: int | None = None  # notification_id of the start row
    head: Link | None = None
    anchors_checked: int = 0
    broken: Break | None = None


def describe(event: Event) -> str:
    return (f"event {event.notification_id} (originator {event.originator_id}, "
            f"version {event.originator_version})")


def hash_of(prev: bytes, event: Event, notification_id: int | None = None) -> bytes:
    return link(prev, event.notification_id if notification_id is None else notification_id,
                event.originator_id, event.originator_version, event.topic, bytes(event.state))


def walk(events: Iterable[Event], links: Iterable[Link],
         nearby: Callable[[int], Sequence[Link]] | None = None,
         anchors: Iterable[Anchor] = ()) -> Walk:
    result = Walk()
    pinned = _Anchors(anchors)
    prev: Link | None = None
    for notification_id, event, row in _merged(events, links):
        if prev is None:  # before the chain's start
            if row is None:
                result.unchained += 1
                continue
            if row.prev_id is None and row.hash == GENESIS:
                prev, result.start = row, notification_id
                result.unchained += event is not None
                if (found := pinned.passing(row)) is not None:
                    return _broken(result, found)
                continue
            text = (f"event {row.prev_id} deleted (with its chain row; the chain's first row, "
                    f"event {notification_id}, follows it)" if row.prev_id is not None else
                    f"the chain's start before event {notification_id} was deleted")
            return _broken(result, Break(notification_id, "start-deleted", text))
        if row is None:
            assert event is not None
            return _broken(result, Break(notification_id, "inserted",
                                         f"{describe(event)} inserted: it is not in the chain"))
        if row.prev_id != prev.notification_id:
            if row.prev_id is not None and row.prev_id > prev.notification_id:
                return _broken(result, Break(row.prev_id, "deleted", (
                    f"event {row.prev_id} deleted (with its chain row; event "
                    f"{notification_id} follows it in the chain)")))
            return _broken(result, Break(notification_id, "altered", (
                f"chain row of event {notification_id} altered (it follows event {row.prev_id}, "
                f"not {prev.notification_id})")))
        if event is None:
            return _broken(result, Break(notification_id, "deleted",
                                         f"event {notification_id} deleted (its chain row remains)"))
        if hash_of(prev.hash, event) != row.hash:
            moved = _chained_as(event, nearby(notification_id)) if nearby else None
            if moved is not None:
                return _broken(result, Break(notification_id, "reordered", (
                    f"{describe(event)} reordered: the chain has it as event {moved}")))
            return _broken(result, Break(notification_id, "altered", f"{describe(event)} altered"))
        prev = row
        result.chained += 1
        if (found := pinned.passing(row)) is not None:
            return _broken(result, found)
    result.head = prev
    if prev is None and result.unchained:
        return _broken(result, Break(0, "start-deleted", (
            f"no hash chain: {result.unchained} events stored and the chain is empty (deleted)")))
    if (found := pinned.beyond(prev)) is not None:
        return _broken(result, found)
    result.anchors_checked = pinned.checked
    return result


def _broken(result: Walk, found: Break) -> Walk:
    result.broken = found
    return result


def _merged(events: Iterable[Event], links: Iterable[Link]
            ) -> Iterator[tuple[int, Event | None, Link | None]]:
    """(notification_id, its event or None, its chain row or None) in notification_id order."""
    stop = (float("inf"),)
    e_iter, l_iter = iter(events), iter(links)
    event, row = next(e_iter, None), next(l_iter, None)
    while event is not None or row is not None:
        e_id = event.notification_id if event is not None else stop[0]
        l_id = row.notification_id if row is not None else stop[0]
        if e_id == l_id:
            yield int(e_id), event, row
            event, row = next(e_iter, None), next(l_iter, None)
        elif e_id < l_id:
            yield int(e_id), event, None
            event = next(e_iter, None)
        else:
            yield int(l_id), None, row
            row = next(l_iter, None)


def _chained_as(event: Event, window: Sequence[Link]) -> int | None:
    """The notification_id under which the chain holds this event's content, if nearby."""
    hashes = {row.notification_id: row.hash for row in window}
    for row in window:
        if row.notification_id == event.notification_id or row.prev_id not in hashes:
            continue
        if hash_of(hashes[row.prev_id], event, row.notification_id) == row.hash:
            return row.notification_id
    return None


class _Anchors:
    """Anchored (notification_id, hash) pairs, compared as the walk passes them."""

    def __init__(self, anchors: Iterable[Anchor]) -> None:
        self.pending = sorted(anchors, key=lambda a: a.notification_id)
        self.checked = 0
        self.last_good: int | None = None

    def passing(self, row: Link) -> Break | None:
        while self.pending and self.pending[0].notification_id <= row.notification_id:
            anchor = self.pending.pop(0)
            if anchor.notification_id < row.notification_id or anchor.hash != row.hash:
                return self._rewritten(anchor, row.notification_id)
            self.checked += 1
            self.last_good = anchor.notification_id
        return None

    def beyond(self, head: Link | None) -> Break | None:
        if not self.pending:
            return None
        anchor = self.pending[0]
        return Break(anchor.notification_id, "rewritten", (
            f"chain rewritten after anchor at notification_id {anchor.notification_id}"
            f"{_when(anchor)}: the chain ends at event "
            f"{head.notification_id if head else 'none'} (truncated)"))

    def _rewritten(self, anchor: Anchor, at: int) -> Break:
        since = f" (after event {self.last_good}, the last anchor that matches)" \
            if self.last_good is not None else ""
        what = (f"event {anchor.notification_id}'s chain hash differs from the anchor"
                if anchor.notification_id == at else
                f"event {anchor.notification_id} is no longer in the chain")
        return Break(anchor.notification_id, "rewritten", (
            f"chain rewritten after anchor at notification_id {anchor.notification_id}"
            f"{_when(anchor)}: {what}{since}"))


def _when(anchor: Anchor) -> str:
    return f" (anchored {anchor.anchored_at})" if anchor.anchored_at else ""

