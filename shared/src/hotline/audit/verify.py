"""Verifying the services' hash chains in PostgreSQL against their anchors.

`verify_service(conn, service, anchors)` reads `<schema>.<app>_events` and `<app>_chain` in
notification_id order in one REPEATABLE READ snapshot (two server-side cursors, merged as they
stream) and walks them (`hotline.audit.walk`). `kafka_anchors` and `file_anchors` read the
anchors the services published. `SERVICES` names each service's schema and table prefix.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier

from hotline.audit.walk import Anchor, Break, Event, Link, Walk, walk
from hotline.contracts import topics

SERVICES: dict[str, tuple[str, str]] = {
    "intake": ("intake", "intake"),
    "sla-timer": ("sla_timer", "sla_timer"),
    "notifier": ("notifier", "notifier"),
    "billing": ("billing", "billing"),
}
"""service → (schema, table prefix): the services' settings' `schema` and application name."""

PAGE = 5000
WINDOW = 1000  # chain rows either side of a bad event searched for where its content was chained


@dataclass
class Report:
    service: str
    found: bool  # the service's event log exists
    walk: Walk

    @property
    def intact(self) -> bool:
        return self.walk.broken is None

    def line(self) -> str:
        w = self.walk
        if w.broken is not None:
            return f"{self.service}: {w.broken.text}"
        if not self.found:
            return f"{self.service}: no event log (never started)"
        head = w.head.notification_id if w.head else 0
        before = f", {w.unchained} stored before the chain began" if w.unchained else ""
        anchors = f"; {w.anchors_checked} anchors match" if w.anchors_checked else ""
        return f"{self.service}: intact, {w.chained} events chained up to event {head}{before}{anchors}"

    def as_json(self) -> dict[str, Any]:
        w = self.walk
        return {
            "service": self.service, "intact": self.intact, "found": self.found,
            "chained": w.chained, "unchained_before_chain": w.unchained, "chain_start": w.start,
            "head": w.head.notification_id if w.head else None,
            "head_hash": w.head.hash.hex() if w.head else None,
            "anchors_checked": w.anchors_checked,
            "broken": None if w.broken is None else {
                "notification_id": w.broken.notification_id, "kind": w.broken.kind,
                "text": w.broken.text},
            "line": self.line(),
        }


def verify_service(conn: psycopg.Connection, service: str, anchors: Sequence[Anchor] = (),
                   *, schema: str | None = None, prefix: str | None = None) -> Report:
    """Walk one service's chain (`schema`/`prefix` override `SERVICES`, for tests)."""
    default_schema, default_prefix = SERVICES.get(service, (service, service))
    s, p = Identifier(schema or default_schema), prefix or default_prefix
    events, chain = Identifier(f"{p}_events"), Identifier(f"{p}_chain")
    qualified = f'"{schema or default_schema}"."{p}_%s"'
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        found = [conn.execute("SELECT to_regclass(%s) IS NOT NULL", (qualified % t,)).fetchone()[0]
                 for t in ("events", "chain")]
        if not found[0]:
            return Report(service, False, walk((), (), anchors=anchors))
        if not found[1]:
            count = conn.execute(SQL("SELECT count(*) FROM {}.{}").format(s, events)).fetchone()[0]
            result = walk((), (), anchors=anchors)
            if count:
                result.broken = Break(0, "start-deleted", (
                    f"no hash chain ({p}_chain is missing): {count} events unchained"))
            return Report(service, True, result)
        event_rows = _stream(conn, "audit_events", SQL(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            "FROM {}.{} ORDER BY notification_id").format(s, events), Event)
        link_rows = _stream(conn, "audit_chain", SQL(
            "SELECT notification_id, prev_id, hash FROM {}.{} ORDER BY notification_id"
        ).format(s, chain), Link)
        around = SQL(
            "(SELECT notification_id, prev_id, hash FROM {s}.{c} WHERE notification_id < %(n)s "
            "ORDER BY notification_id DESC LIMIT %(w)s) UNION ALL "
            "(SELECT notification_id, prev_id, hash FROM {s}.{c} WHERE notification_id >= %(n)s "
            "ORDER BY notification_id LIMIT %(w)s)").format(s=s, c=chain)

        def nearby(notification_id: int) -> list[Link]:
            rows = conn.execute(around, {"n": notification_id, "w": WINDOW}).fetchall()
            return [Link(n, prev, bytes(h)) for n, prev, h in rows]

        with contextlib.closing(event_rows), contextlib.closing(link_rows):
            return Report(service, True, walk(event_rows, link_rows, nearby, anchors))


def _stream(conn: psycopg.Connection, name: str, query: Any, row_type: Any) -> Iterator[Any]:
    with conn.cursor(name=name) as cursor:
        cursor.itersize = PAGE
        cursor.execute(query)
        for row in cursor:
            yield row_type(*row[:-1], bytes(row[-1]) if row[-1] is not None else b"")


def file_anchors(path: str | Path) -> dict[str, list[Anchor]]:
    """The anchors appended to `path` (JSON lines), by service; unreadable lines are skipped."""
    found: dict[str, list[Anchor]] = {}
    for line in Path(path).read_text().splitlines():
        try:
            entry = json.loads(line)
            anchor = Anchor(int(entry["notification_id"]), bytes.fromhex(entry["hash"]),
                            str(entry.get("anchored_at", "")))
        except (ValueError, KeyError, TypeError):
            continue
        found.setdefault(str(entry["service"]), []).append(anchor)
    return found


async def kafka_anchors(bootstrap: str, timeout: float = 10.0) -> dict[str, list[Anchor]]:
    """The anchors on `hotline.audit.v1`, by service (messages that are not anchors skipped)."""
    from hotline.contracts.audit import ChainAnchored
    from hotline.contracts.envelope import EnvelopeError, parse
    from hotline.devstack.broker import read_topic

    found: dict[str, list[Anchor]] = {}
    for record in await read_topic(bootstrap, topics.AUDIT, timeout=timeout, idle=0.5):
        try:
            event = parse(dict(record.headers or []), record.value or b"")
        except EnvelopeError:
            continue
        if isinstance(event.data, ChainAnchored):
            data = event.data
            found.setdefault(data.service, []).append(
                Anchor(data.notification_id, bytes.fromhex(data.hash),
                       data.model_dump(mode="json")["anchored_at"]))
    return found
