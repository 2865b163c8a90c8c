"""The availability read model: one row per outage record and per maintenance window, in
`<app>_availability`, written in the same transaction as the events it derives from
(`save(..., spans=[...])`, as the due index is). A month's report reads the rows that overlap
it and hands them to the kernel (`hotline.sla.availability`). The table is disposable:
`rebuild_availability` rewrites it from the event log alone.

`AvailabilityRows` is the PostgreSQL mixin for sla-timer's recorder; `MemoryAvailabilityRows`
its in-memory twin for unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from psycopg.sql import SQL, Identifier
from psycopg.types.json import Jsonb

from hotline.sla.availability import MaintenanceWindow, Outage


@dataclass(frozen=True)
class SpanRow:
    """An outage (`kind` "outage") or a maintenance window ("maintenance") as the table keeps it."""

    id: UUID
    kind: str
    starts_at: datetime
    ends_at: datetime | None
    body: dict[str, Any]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.starts_at < end and (self.ends_at is None or self.ends_at > start)

    def read(self) -> Outage | MaintenanceWindow:
        b = self.body
        if self.kind == "outage":
            return Outage(id=str(self.id), start=self.starts_at, end=self.ends_at,
                          service_class=b["service_class"], cause=b["cause"],
                          customers=tuple(b["customers"]), all_customers=b["all_customers"],
                          ticket_number=b.get("ticket_number"))
        assert self.ends_at is not None
        return MaintenanceWindow(id=str(self.id), start=self.starts_at, end=self.ends_at,
                                 services=tuple(b["services"]), customers=tuple(b["customers"]),
                                 all_customers=b["all_customers"], emergency=b["emergency"],
                                 notice=timedelta(seconds=b["notice_seconds"]),
                                 cancelled=b["cancelled"])


def span_of(item: Outage | MaintenanceWindow) -> SpanRow:
    if isinstance(item, Outage):
        return SpanRow(UUID(item.id), "outage", item.start, item.end, {
            "service_class": item.service_class, "cause": item.cause,
            "customers": list(item.customers), "all_customers": item.all_customers,
            "ticket_number": item.ticket_number})
    return SpanRow(UUID(item.id), "maintenance", item.start, item.end, {
        "services": list(item.services), "customers": list(item.customers),
        "all_customers": item.all_customers, "emergency": item.emergency,
        "notice_seconds": item.notice.total_seconds(), "cancelled": item.cancelled})


class AvailabilityRows:
    """Mixin for a PostgreSQL recorder (before it in the bases)."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)  # type: ignore[call-arg]
        name = self.events_table_name.removesuffix("_events") + "_availability"  # type: ignore[attr-defined]
        schema, table = Identifier(self.datastore.schema), Identifier(name)  # type: ignore[attr-defined]
        self.sql_create_statements.append(SQL(  # type: ignore[attr-defined]
            "CREATE TABLE IF NOT EXISTS {}.{} (id uuid PRIMARY KEY, kind text NOT NULL, "
            "starts_at timestamptz NOT NULL, ends_at timestamptz, body jsonb NOT NULL)"
        ).format(schema, table))
        self._upsert_span = SQL(
            "INSERT INTO {}.{} (id, kind, starts_at, ends_at, body) VALUES (%s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, starts_at = EXCLUDED.starts_at, "
            "ends_at = EXCLUDED.ends_at, body = EXCLUDED.body").format(schema, table)
        self._overlapping = SQL(
            "SELECT id, kind, starts_at, ends_at, body FROM {}.{} WHERE starts_at < %s "
            "AND (ends_at IS NULL OR ends_at > %s) ORDER BY starts_at, id").format(schema, table)
        self._all_spans = SQL("SELECT id, kind, starts_at, ends_at, body FROM {}.{} "
                              "ORDER BY starts_at, id").format(schema, table)
        self._delete_spans = SQL("DELETE FROM {}.{}").format(schema, table)

    def _insert_events(self, curs: Any, stored_events: Sequence[Any], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)  # type: ignore[misc]
        for row in kwargs.get("spans") or ():
            curs.execute(self._upsert_span, (row.id, row.kind, row.starts_at, row.ends_at, Jsonb(row.body)))

    def spans_overlapping(self, start: datetime, end: datetime) -> list[SpanRow]:
        return self._select(self._overlapping, (end, start))

    def all_spans(self) -> list[SpanRow]:
        return self._select(self._all_spans, ())

    def _select(self, statement: Any, params: tuple) -> list[SpanRow]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:  # type: ignore[attr-defined]
            curs.execute(statement, params)
            return [SpanRow(**r) for r in curs.fetchall()]

    def replace_spans(self, rows: Sequence[SpanRow]) -> None:
        """Drop every row and write these (a rebuild), in one transaction."""
        with self.datastore.transaction(commit=True) as curs:  # type: ignore[attr-defined]
            curs.execute(self._delete_spans)
            for row in rows:
                curs.execute(self._upsert_span, (row.id, row.kind, row.starts_at, row.ends_at,
                                                 Jsonb(row.body)))


class MemoryAvailabilityRows:
    """In memory (unit tests): the same rows, written under the recorder's lock with the events."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spans: dict[UUID, SpanRow] = {}

    def _update_table(self, stored_events: Sequence[Any], **kwargs: Any) -> Any:
        notification_ids = super()._update_table(stored_events, **kwargs)  # type: ignore[misc]
        for row in kwargs.get("spans") or ():
            self.spans[row.id] = row
        return notification_ids

    def spans_overlapping(self, start: datetime, end: datetime) -> list[SpanRow]:
        return sorted((r for r in self.spans.values() if r.overlaps(start, end)),
                      key=lambda r: (r.starts_at, r.id))

    def all_spans(self) -> list[SpanRow]:
        return sorted(self.spans.values(), key=lambda r: (r.starts_at, r.id))

    def replace_spans(self, rows: Sequence[SpanRow]) -> None:
        self.spans = {row.id: row for row in rows}
