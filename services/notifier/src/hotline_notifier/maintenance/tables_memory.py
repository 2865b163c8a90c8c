"""The maintenance tables in memory, for the POPO recorder of unit tests: the same reads as
`tables.MaintenanceTables`, written under the recorder's lock with the window's events (and
not at all when the events are refused)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from hotline_notifier.maintenance.rows import MaintenanceRows, WindowView


class MemoryMaintenanceTables:
    def __init__(self) -> None:
        super().__init__()
        self._windows: dict[UUID, WindowView] = {}
        self._due: dict[UUID, list[tuple[str, datetime]]] = {}

    def _update_table(self, stored_events: Sequence[StoredEvent],
                      **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._update_table(stored_events, **kwargs)  # type: ignore[misc]
        rows: MaintenanceRows | None = kwargs.get("maintenance")
        if rows is not None:
            self._write_maintenance(rows)
        return notification_ids

    def _write_maintenance(self, rows: MaintenanceRows) -> None:
        self._windows[rows.window_id] = rows.view
        self._due[rows.window_id] = list(rows.due)

    def maintenance_due(self, now: datetime, limit: int) -> list[UUID]:
        earliest = {w: min(at for _, at in due) for w, due in self._due.items()
                    if any(at <= now for _, at in due)}
        return sorted(earliest, key=lambda w: earliest[w])[:limit]

    def maintenance_windows(self, status: str | None, limit: int) -> list[WindowView]:
        views = [v for v in self._windows.values() if status is None or v.status == status]
        return sorted(views, key=lambda v: (-v.starts_at.timestamp(), str(v.id)))[:limit]

    def maintenance_windows_by_prefix(self, prefix: str) -> list[WindowView]:
        return sorted((v for v in self._windows.values() if str(v.id).startswith(prefix.lower())),
                      key=lambda v: str(v.id))[:2]

    def replace_maintenance(self, all_rows: Sequence[MaintenanceRows]) -> None:
        with self._database_lock:  # type: ignore[attr-defined]
            self._windows.clear()
            self._due.clear()
            for rows in all_rows:
                self._write_maintenance(rows)
