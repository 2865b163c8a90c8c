"""Anchoring: each service publishes its hash chain's head where a database attacker cannot
rewrite it.

`ChainAnchor.run` (a background task of every service, `anchor_task`) reads the chain's last
row every HOTLINE_AUDIT_ANCHOR_SECONDS and, when it moved, publishes `ChainAnchored` to
`hotline.audit.v1` (key: the service) and appends it as a JSON line to
HOTLINE_AUDIT_ANCHOR_FILE when set; once more when the service stops.

An anchor's `ce_id` is `<service>:<head position>`. A restarted service (stopped, or killed)
first reads the audit topic's tail (`hotline.published_tail`): a head it anchored before the
restart is not anchored again, so no `ce_id` is on the topic twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from hotline.audit.settings import AuditSettings
from hotline.contracts import topics
from hotline.contracts.audit import ChainAnchored
from hotline.contracts.envelope import CloudEvent
from hotline.kafka import client_options
from hotline.published_tail import ReadTail, TailReader

log = logging.getLogger(__name__)

TAIL_RECORDS = 1000  # read back per partition of the audit topic at start: every service's anchors


class ChainAnchor:
    def __init__(self, service: str, pool: Callable[[], Any], producer: Callable[[], Any],
                 schema: str, chain_table: str, settings: AuditSettings | None = None,
                 read_tail: ReadTail | None = None) -> None:
        self.service = service
        self._read_tail = read_tail  # None: no read-back at start (the first head is anchored)
        self._pool, self._producer = pool, producer
        self.settings = settings or AuditSettings()
        self._head = (f'SELECT notification_id, hash FROM "{schema}"."{chain_table}" '
                      "ORDER BY notification_id DESC LIMIT 1")
        self.last: tuple[int, bytes] | None = None

    async def anchor(self) -> ChainAnchored | None:
        """Publish the head if it moved since the last anchor; returns what was published."""
        row = await self._pool().fetchrow(self._head)
        if row is None or row["notification_id"] < 1:
            return None
        head = (row["notification_id"], bytes(row["hash"]))
        if head == self.last:
            return None
        if self.last is None and await self._anchored_before(head[0]):
            self.last = head
            return None
        now = datetime.now(timezone.utc)
        body = ChainAnchored(service=self.service, notification_id=head[0], hash=head[1].hex(),
                             anchored_at=now)
        event = CloudEvent(id=f"{self.service}:{head[0]}", source=f"/hotline/{self.service}",
                           type=body.ce_type, time=now, subject=self.service, position=head[0],  # type: ignore[attr-defined]
                           data=body, key=self.service)
        await self._producer().send_and_wait(
            topics.AUDIT, event.body(), key=self.service.encode(),
            headers=[(k, v.encode()) for k, v in event.headers().items()])
        if self.settings.anchor_file:
            line = json.dumps(body.model_dump(mode="json"), sort_keys=True) + "\n"
            await asyncio.to_thread(_append, Path(self.settings.anchor_file), line)
        self.last = head
        log.info("chain anchored", extra={"notification_id": head[0], "hash": head[1].hex()})
        return body

    async def _anchored_before(self, position: int) -> bool:
        """Whether the audit topic's tail holds this service's anchor of `position` (published
        before a restart). Only the position is compared: a head rewritten since (same
        position, other hash) contradicts the anchor on the topic, which `verify` reports."""
        if self._read_tail is None:
            return False
        tail = await self._read_tail(topics.AUDIT, TAIL_RECORDS)
        source = f"/hotline/{self.service}"
        return any(position in found for (_, src), found in tail.positions.items() if src == source)

    async def run(self) -> None:
        try:
            while True:
                await self.anchor()
                await asyncio.sleep(self.settings.anchor_seconds)
        except asyncio.CancelledError:  # stopping: anchor what was written last
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.anchor(), 5.0)
            raise


def _append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as file:
        file.write(line)


def anchor_task(wired: Any, app: Any) -> Callable[[], Awaitable[None]]:
    """The anchoring task of a service (`runtime.add_task("audit-anchor", anchor_task(wired,
    app))`): its chain is the application recorder's, its pool and producer the wiring's."""
    recorder = app.recorder
    service = wired.settings.service_name
    tail = TailReader(client_options(wired.settings), client_id=f"hotline-{service}-anchor-tail")
    anchor = ChainAnchor(service, lambda: wired.pool, lambda: wired.producer,
                         recorder.datastore.schema, recorder.chain_table_name, read_tail=tail)
    return anchor.run
