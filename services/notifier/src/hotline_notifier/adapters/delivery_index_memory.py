"""The delivery index in memory, a mixin for the POPO recorder of unit tests: the same rows,
claims and listings as `delivery_index.DeliveryIndex`, written under the recorder's lock with
the events (and not at all when the events are refused)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from hotline_notifier.adapters.delivery_index import DeliveryRow


class MemoryDeliveryIndex:
    def __init__(self) -> None:
        super().__init__()
        self._delivery_rows: dict[UUID, DeliveryRow] = {}
        self._delivery_claims: dict[UUID, datetime] = {}

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._update_table(stored_events, **kwargs)  # type: ignore[misc]
        for row in kwargs.get("deliveries") or ():
            self._delivery_rows[row.notification_id] = row
            self._delivery_claims.pop(row.notification_id, None)
        return notification_ids

    def claim_due_deliveries(self, now: datetime, limit: int, paused: Sequence[str] = ()
              ) -> tuple[list[UUID], datetime | None]:
        with self._database_lock:  # type: ignore[attr-defined]
            waiting = sorted((r for r in self._delivery_rows.values() if r.state == "pending"
                              and r.notification_id not in self._delivery_claims and r.channel not in paused),
                             key=lambda r: r.due_at)
            claimed = [r.notification_id for r in waiting if r.due_at <= now][:max(limit, 0)]
            self._delivery_claims.update(dict.fromkeys(claimed, now))
            later = [r.due_at for r in waiting if r.notification_id not in self._delivery_claims]
            return claimed, min(later, default=None)

    def release_claims(self, notification_ids: Sequence[UUID]) -> None:
        with self._database_lock:  # type: ignore[attr-defined]
            for notification_id in notification_ids:
                self._delivery_claims.pop(notification_id, None)

    def release_all_claims(self) -> None:
        with self._database_lock:  # type: ignore[attr-defined]
            self._delivery_claims.clear()

    def deliveries_of_ticket(self, ticket_number: str) -> list[dict[str, Any]]:
        rows = [r for r in self._delivery_rows.values() if r.ticket_number == ticket_number]
        return [self._listed_delivery(r) for r in sorted(rows, key=lambda r: (r.requested_at, r.notification_id))]

    def failed_deliveries(self, limit: int) -> list[dict[str, Any]]:
        rows = [r for r in self._delivery_rows.values()
                if r.state == "given-up" or (r.state == "pending" and r.attempts > 0)]
        return [self._listed_delivery(r) for r in sorted(rows, key=lambda r: r.updated_at, reverse=True)[:limit]]

    def count_deliveries(self) -> int:
        return len(self._delivery_rows)

    def backfill_deliveries(self, rows: Sequence[DeliveryRow], *, replace: bool = False) -> None:
        with self._database_lock:  # type: ignore[attr-defined]
            if replace:
                self._delivery_rows.clear()
                self._delivery_claims.clear()
            for row in rows:
                self._delivery_rows.setdefault(row.notification_id, row)

    def _listed_delivery(self, row: DeliveryRow) -> dict[str, Any]:
        return {**asdict(row), "claimed_at": self._delivery_claims.get(row.notification_id)}
