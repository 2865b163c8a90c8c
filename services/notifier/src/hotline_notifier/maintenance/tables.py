"""The maintenance tables in notifier's schema, kept in step with the event log.

`MaintenanceTables` is a mixin for notifier's PostgreSQL process recorder. It adds two tables,
both read models that can be dropped and rebuilt from the events (`replace_maintenance`):
- `<app>_maintenance_windows`: one row per window (status, start, version and the `WindowView`
  as JSON), for listing without reading the log;
- `<app>_maintenance_due`: the window's pending instants (`reminder`, `start`), the sibling of
  sla-timer's due index.
Both are written in the same transaction as the window's events: `Application.save(window, ...,
maintenance=MaintenanceRows(...))` reaches `_insert_events`, which replaces the window's rows
before the events are inserted, so the tables and the log cannot disagree.

Due rows are read, not claimed: `maintenance_due` names the windows with something due, and the
window's version decides. Whoever fires one appends its next event and replaces its due rows in
one transaction; a second instance that loaded the same version fails on the (originator_id,
originator_version) key and leaves it. Nothing can be reminded or started twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Identifier
from psycopg.types.json import Jsonb

from hotline_notifier.maintenance.rows import MaintenanceRows, WindowView


class MaintenanceTables:
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)  # type: ignore[call-arg]
        prefix = self.events_table_name.removesuffix("_events")  # type: ignore[attr-defined]
        schema = Identifier(self.datastore.schema)  # type: ignore[attr-defined]
        windows = Identifier(f"{prefix}_maintenance_windows")
        due = Identifier(f"{prefix}_maintenance_due")
        self.sql_create_statements += [  # type: ignore[attr-defined]
            SQL("CREATE TABLE IF NOT EXISTS {}.{} (id uuid PRIMARY KEY, status text NOT NULL, "
                "starts_at timestamptz NOT NULL, version integer NOT NULL, view jsonb NOT NULL)"
                ).format(schema, windows),
            SQL("CREATE TABLE IF NOT EXISTS {}.{} (window_id uuid NOT NULL, what text NOT NULL, "
                "due_at timestamptz NOT NULL, PRIMARY KEY (window_id, what))").format(schema, due),
            SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} (due_at)").format(
                Identifier(f"{prefix}_maintenance_due_at_idx"), schema, due),
        ]
        self._upsert_window = SQL(
            "INSERT INTO {}.{} (id, status, starts_at, version, view) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, "
            "starts_at = EXCLUDED.starts_at, version = EXCLUDED.version, view = EXCLUDED.view"
            ).format(schema, windows)
        self._delete_due = SQL("DELETE FROM {}.{} WHERE window_id = %s").format(schema, due)
        self._insert_due = SQL("INSERT INTO {}.{} (window_id, what, due_at) VALUES (%s, %s, %s)"
                               ).format(schema, due)
        self._select_due = SQL("SELECT window_id FROM {}.{} WHERE due_at <= %s GROUP BY window_id "
                               "ORDER BY min(due_at) LIMIT %s").format(schema, due)
        self._select_windows = SQL(
            "SELECT view FROM {}.{} WHERE %(status)s::text IS NULL OR status = %(status)s "
            "ORDER BY starts_at DESC, id LIMIT %(limit)s").format(schema, windows)
        self._select_by_prefix = SQL("SELECT view FROM {}.{} WHERE id::text LIKE %s ORDER BY id "
                                     "LIMIT 2").format(schema, windows)
        self._truncate = SQL("TRUNCATE {}.{}, {}.{}").format(schema, windows, schema, due)

    # -- written with the window's events -------------------------------------------------------
    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)  # type: ignore[misc]
        rows: MaintenanceRows | None = kwargs.get("maintenance")
        if rows is not None:
            self._write_maintenance(curs, rows)

    def _write_maintenance(self, curs: Any, rows: MaintenanceRows) -> None:
        view = rows.view
        curs.execute(self._upsert_window, (view.id, view.status, view.starts_at, view.version,
                                           Jsonb(view.model_dump(mode="json"))))
        curs.execute(self._delete_due, (rows.window_id,))
        for what, due_at in rows.due:
            curs.execute(self._insert_due, (rows.window_id, what, due_at))

    # -- read by the timer, the API and the CLI --------------------------------------------------
    def maintenance_due(self, now: datetime, limit: int) -> list[UUID]:
        """The windows with an instant due at `now`, earliest first."""
        return [r["window_id"] for r in self._fetch(self._select_due, (now, limit))]

    def maintenance_windows(self, status: str | None, limit: int) -> list[WindowView]:
        """Windows (of one status, or all), latest start first."""
        rows = self._fetch(self._select_windows, {"status": status, "limit": limit})
        return [WindowView.model_validate(r["view"]) for r in rows]

    def maintenance_windows_by_prefix(self, prefix: str) -> list[WindowView]:
        """At most two windows whose id begins with `prefix` (two: it is ambiguous)."""
        rows = self._fetch(self._select_by_prefix, (prefix.lower().replace("%", "") + "%",))
        return [WindowView.model_validate(r["view"]) for r in rows]

    def replace_maintenance(self, all_rows: Sequence[MaintenanceRows]) -> None:
        """Empty both tables and write `all_rows` (a rebuild from the event log)."""
        with self.datastore.transaction(commit=True) as curs:  # type: ignore[attr-defined]
            curs.execute(self._truncate)
            for rows in all_rows:
                self._write_maintenance(curs, rows)

    def _fetch(self, statement: Any, params: Any) -> list[dict[str, Any]]:
        datastore = self.datastore  # type: ignore[attr-defined]
        with datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()
