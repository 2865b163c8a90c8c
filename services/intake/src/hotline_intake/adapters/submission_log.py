"""The submission log: intake's read model of what each email or request became, in PostgreSQL,
written in the same transaction as the events it derives from.

`SubmissionLogRecorder` is eventsourcing's PostgreSQL application recorder plus two tables:

* `<app>_submissions`: one row per ticket, rejection or ignored email (`SubmissionRow`, derived
  from the event by `row_of`). A unique index on (sender, message_id) makes a resent Message-ID
  unable to open a second ticket, even when two deliveries race or the `250` was lost after the
  commit: the second transaction fails (IntegrityError) and the caller records a duplicate.
  A row older than the duplicate window gives way to a new one with the same key in the same
  transaction; an insert given `purge_before` (one a second) also purges rows past it. The same rows answer the
  rate-limit counts (owed replies per address, tickets per customer, since an instant).
  It is disposable: `replace_submissions` rebuilds it from `row_of` over the event log.
* `<app>_descriptions`: the whole text of descriptions over 64 KiB, whose events carry only a
  preview. Not a read model: it is the rest of those events and is never rebuilt or purged.

`Application.save(..., submission=SubmissionRow, description=(ticket_id, text),
purge_before=datetime)` reaches `_insert_events`, which writes them before the events.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier

from hotline.audit.chain import HashChainRecorder
from hotline.processing import ColumnarInsertRecorder
from hotline_intake.adapters.submission_rows import COLUMNS, SubmissionRow

PURGE_BATCH = 100
"""Rows past the window one purge deletes at most (one purge a second: `PURGE_EVERY`)."""


class SubmissionLogRecorder(HashChainRecorder, ColumnarInsertRecorder, PostgresApplicationRecorder):
    """Events inserted as binary column arrays (`ColumnarInsertRecorder`, as sla-timer's
    firing), hash-chained, with the submission log's rows in the same transaction."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        prefix = self.events_table_name.removesuffix("_events")
        s, t = Identifier(self.datastore.schema), Identifier(prefix + "_submissions")
        d = Identifier(prefix + "_descriptions")
        index = prefix + "_submissions_"
        self.sql_create_statements += [SQL(statement).format(s=s, t=t, d=d, **{
            name: Identifier(index + name) for name in ("key", "replies", "tickets", "age")})
            for statement in (
                "CREATE TABLE IF NOT EXISTS {s}.{t} (submission_id uuid PRIMARY KEY, "
                "sender text, message_id text, outcome text NOT NULL, ticket_number text, "
                "customer text, reply_to text, received_at timestamptz NOT NULL)",
                "CREATE UNIQUE INDEX IF NOT EXISTS {key} ON {s}.{t} (sender, message_id) "
                "WHERE sender IS NOT NULL AND message_id IS NOT NULL",
                "CREATE INDEX IF NOT EXISTS {replies} ON {s}.{t} (reply_to, received_at) "
                "WHERE reply_to IS NOT NULL",
                "CREATE INDEX IF NOT EXISTS {tickets} ON {s}.{t} (customer, received_at) "
                "WHERE outcome = 'ticket'",
                "CREATE INDEX IF NOT EXISTS {age} ON {s}.{t} (received_at)",
                "CREATE TABLE IF NOT EXISTS {s}.{d} (ticket_id uuid PRIMARY KEY, "
                "description bytea NOT NULL)",  # UTF-8: a text column refuses NUL characters
            )]
        columns = ", ".join(COLUMNS)
        statements = {
            "_insert_row": f"INSERT INTO {{s}}.{{t}} ({columns}) "
                           f"VALUES ({', '.join(['%s'] * len(COLUMNS))})",
            "_drop_stale_key": "DELETE FROM {s}.{t} WHERE sender = %s AND message_id = %s "
                               "AND received_at < %s",
            # Only when the oldest row (one probe of the age index) is past the window; then
            # the oldest rows, by their ctids. Ungated, the planner chose sequential scans that
            # found nothing to purge, on every insert: a full read of the log per email.
            "_purge": "DELETE FROM {s}.{t} WHERE (SELECT min(received_at) FROM {s}.{t}) < %(before)s "
                      "AND ctid = ANY(ARRAY(SELECT ctid FROM {s}.{t} WHERE received_at < %(before)s "
                      "ORDER BY received_at LIMIT %(limit)s))",
            "_insert_description": "INSERT INTO {s}.{d} (ticket_id, description) VALUES (%s, %s)",
            "_select_description": "SELECT description FROM {s}.{d} WHERE ticket_id = %s",
            "_select_original": f"SELECT {columns} FROM {{s}}.{{t}} WHERE sender = %s "
                                "AND message_id = %s AND received_at >= %s",
            "_count_replies": "SELECT count(*) AS n FROM {s}.{t} WHERE reply_to = %s "
                              "AND received_at >= %s",
            "_count_tickets": "SELECT count(*) AS n FROM {s}.{t} WHERE outcome = 'ticket' "
                              "AND customer = %s AND received_at >= %s",
            "_truncate": "TRUNCATE {s}.{t}",
        }
        for name, statement in statements.items():
            setattr(self, name, SQL(statement).format(s=s, t=t, d=d))

    # -- written with the events ----------------------------------------------------------
    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        description: tuple[UUID, str] | None = kwargs.get("description")
        if description is not None:
            ticket_id, text = description
            curs.execute(self._insert_description, (ticket_id, text.encode("utf-8")))
        row: SubmissionRow | None = kwargs.get("submission")
        if row is not None:
            self._write_row(curs, row, kwargs.get("key_since"))
        purge_before: datetime | None = kwargs.get("purge_before")
        if purge_before is not None:
            curs.execute(self._purge, {"before": purge_before, "limit": PURGE_BATCH})

    def _write_row(self, curs: Any, row: SubmissionRow, key_since: datetime | None) -> None:
        if row.sender is not None and row.message_id is not None and key_since is not None:
            curs.execute(self._drop_stale_key, (row.sender, row.message_id, key_since))
        curs.execute(self._insert_row, tuple(row))

    # -- read -----------------------------------------------------------------------------
    def original(self, sender: str, message_id: str, since: datetime) -> SubmissionRow | None:
        """The submission with this sender and Message-ID received since `since`, if any."""
        found = self._fetch(self._select_original, (sender, message_id, since))
        return SubmissionRow(**found[0]) if found else None

    def count_replies(self, address: str, since: datetime) -> int:
        return self._fetch(self._count_replies, (address, since))[0]["n"]

    def count_tickets(self, customer: str, since: datetime) -> int:
        return self._fetch(self._count_tickets, (customer, since))[0]["n"]

    def description(self, ticket_id: UUID) -> str | None:
        found = self._fetch(self._select_description, (ticket_id,))
        return bytes(found[0]["description"]).decode("utf-8") if found else None

    def _fetch(self, statement: Any, params: tuple) -> list[dict[str, Any]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, params)
            return curs.fetchall()

    # -- rebuilt --------------------------------------------------------------------------
    def replace_submissions(self, rows: Sequence[SubmissionRow]) -> None:
        """Empty the submission log and write `rows` (a rebuild from the event log)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(self._truncate)
            for row in rows:
                self._write_row(curs, row, None)
