"""The due index: sla-timer's durable timers, in PostgreSQL, kept in step with the event log.

`DueIndexRecorder` is eventsourcing's PostgreSQL process recorder (taking a batch's tracking
rows too: `MultiTrackingRecorder`) plus one table, `<app>_due_timers`: one row per pending
(ticket, clock, threshold) with its due instant, clock version and what the deadline event
needs. Rows are written in the same transaction as the `TicketClocks` events they derive
from: `Application.save(..., timers=DueTimers(...))` reaches `_insert_events`, which replaces
the ticket's rows before the events are inserted. So a crash can never leave the index and the
log disagreeing.

`fire_due` claims due rows (`FOR UPDATE SKIP LOCKED`, so instances share the work; deleted by
the ctids it locked), appends their events at the next versions of their aggregates and
returns their notification ids, in one transaction. A second instance or a consumer that loaded an older version fails on the
(originator_id, originator_version) key and retries: a deadline event cannot be appended twice.
"""

from __future__ import annotations

import logging
from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresProcessRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from hotline.audit.chain import HashChainRecorder
from hotline.processing import ColumnarInsertRecorder, MultiTrackingRecorder
from hotline_sla_timer.domain.deadlines import PendingTimer

log = logging.getLogger(__name__)

COLUMNS = ("ticket_id", "clock", "threshold", "kind", "due_at", "clock_version", "ticket_number",
           "priority", "policy_version", "calendar_version", "run")


DueRow = namedtuple("DueRow", COLUMNS)
"""One claimed row of the due index."""


@dataclass(frozen=True)
class DueTimers:
    """The complete set of pending timers of some tickets (replacing what the index held)."""

    ticket_ids: Sequence[UUID]
    timers: Sequence[PendingTimer] = field(default_factory=list)


BuildEvents = Callable[[list[DueRow], dict[UUID, int]], list[StoredEvent]]
"""(claimed rows in due order, {ticket id: current version}) → stored events to append."""


class DueIndexRecorder(HashChainRecorder, MultiTrackingRecorder, ColumnarInsertRecorder, PostgresProcessRecorder):
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.due_table_name = self.events_table_name.removesuffix("_events") + "_due_timers"
        schema, table = Identifier(self.datastore.schema), Identifier(self.due_table_name)
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} ("
            "ticket_id uuid NOT NULL, clock text NOT NULL, threshold double precision NOT NULL, "
            "kind text NOT NULL, due_at timestamptz NOT NULL, clock_version integer NOT NULL, "
            "ticket_number text NOT NULL, priority smallint NOT NULL, policy_version text NOT NULL, "
            "calendar_version text NOT NULL, run integer NOT NULL DEFAULT 1, "
            "PRIMARY KEY (ticket_id, clock, threshold))"
        ).format(schema, table))
        self.sql_create_statements.append(SQL(  # tables made before clocks had runs
            "ALTER TABLE {}.{} ADD COLUMN IF NOT EXISTS run integer NOT NULL DEFAULT 1"
        ).format(schema, table))
        self.sql_create_statements.append(SQL(
            "CREATE INDEX IF NOT EXISTS {} ON {}.{} (due_at)"
        ).format(Identifier(self.due_table_name + "_due_at_idx"), schema, table))
        self._delete_tickets = SQL("DELETE FROM {}.{} WHERE ticket_id = ANY(%s)").format(schema, table)
        self._insert_timers = SQL(
            "INSERT INTO {}.{} (" + ", ".join(COLUMNS) + ") SELECT * FROM unnest("
            "%b::uuid[], %b::text[], %b::float8[], %b::text[], %b::timestamptz[], %b::int4[], "
            "%b::text[], %b::int2[], %b::text[], %b::text[], %b::int4[])"
        ).format(schema, table)
        self._claim = SQL(  # by ctid: the locked rows themselves, no second look-up by key
            "DELETE FROM {s}.{t} WHERE ctid = ANY(ARRAY("
            " SELECT ctid FROM {s}.{t} WHERE due_at <= %s"
            " ORDER BY due_at LIMIT %s FOR UPDATE SKIP LOCKED)) RETURNING " + ", ".join(COLUMNS)
        ).format(s=schema, t=table)
        self._versions = SQL(  # the newest event of each ticket: one index probe each
            "SELECT id, (SELECT max(originator_version) FROM {}.{} WHERE originator_id = id) "
            "FROM unnest(%b::uuid[]) AS id"
        ).format(schema, Identifier(self.events_table_name))
        self._count = SQL("SELECT count(*) AS n FROM {}.{}").format(schema, table)
        self._truncate = SQL("TRUNCATE {}.{}").format(schema, table)
        # The earliest due_at is one probe of the due_at index; EXISTS (... WHERE due_at <= now)
        # was planned as a sequential scan that, with nothing due, read every pending timer.
        self._any_due = SQL("SELECT coalesce((SELECT min(due_at) FROM {}.{}) <= %s, false) AS due"
                            ).format(schema, table)
        self._select_all = SQL("SELECT * FROM {}.{} ORDER BY due_at, ticket_id, clock, threshold").format(schema, table)

    # -- written with the aggregate's events ------------------------------------------------
    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        due: DueTimers | None = kwargs.get("timers")
        if due is not None:
            self.replace_timers(curs, due)

    def replace_timers(self, curs: Any, due: DueTimers) -> None:
        curs.execute(self._delete_tickets, (list(due.ticket_ids),))
        if due.timers:
            columns = [[getattr(t, c) for t in due.timers] for c in COLUMNS]
            curs.execute(self._insert_timers, columns)

    # -- fired by the firing loop -------------------------------------------------------------
    def fire_due(self, now: datetime, limit: int, build: BuildEvents,
                 before_commit: Callable[[int], None] | None = None) -> list[int]:
        """Claim up to `limit` rows due at `now`, append their events, delete them. Returns the
        notification ids of the events appended, in order (none: nothing due, or another
        instance holds them)."""
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor(row_factory=tuple_row) as curs:
            curs.execute(self._claim, (now, limit), binary=True)
            rows = sorted(map(DueRow._make, curs.fetchall()),
                          key=lambda r: (r.due_at, r.threshold, r.ticket_id.int))
            if not rows:
                return []
            # Taken before reading versions, so no other writer appends in between.
            self._lock_table(curs)
            curs.execute(self._versions, (list({r.ticket_id for r in rows}),))
            versions = dict(curs.fetchall())  # every claimed ticket has events: it was opened
            stored = build(rows, versions)
            self._insert_stored_events(curs, stored)
            notification_ids = [notification_id for notification_id, in curs.fetchall()]
            if before_commit is not None:
                before_commit(len(stored))
            return notification_ids

    # -- reading and rebuilding ---------------------------------------------------------------
    def any_due(self, now: datetime) -> bool:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._any_due, (now,))
            return curs.fetchone()["due"]

    def count_timers(self) -> int:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._count)
            return curs.fetchone()["n"]

    def all_timers(self) -> list[dict[str, Any]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._select_all)
            return curs.fetchall()

    def truncate_timers(self) -> None:
        """Empty the due index (before it is rebuilt from the event log)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._truncate)

    def rewrite(self, due: DueTimers) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self.replace_timers(curs, due)
