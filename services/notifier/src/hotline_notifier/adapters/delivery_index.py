"""The delivery index: one row per notification, kept in step with the event log — its state,
its attempts so far and, while it is pending, when its next attempt is due. The notifier's
retry schedule, sibling of sla-timer's due index, and what `hotline notifications` lists.

`DeliveryIndex` is a mixin for notifier's PostgreSQL process recorder: one table,
`<app>_deliveries`, dropped and rebuilt from the events at will. Whoever saves a
Notification (a consumer with its tracking row, a maintenance command, the dispatcher recording
an attempt) saves its row in the same transaction: the application puts each saved
notification's `DeliveryRow` in the save's `deliveries=[...]`, which reaches `_insert_events`.
So nobody has to remember to schedule, and a crash can never leave the index and the log
disagreeing. The table is derived state: `DeliveryRow.of(notification)` rebuilds each row.

Claiming: `claim_due_deliveries(now, limit, paused)` marks up to `limit` due, unclaimed rows as claimed
(`FOR UPDATE SKIP LOCKED`, by the ctids it locked), oldest due first, skipping channels that are
paused (email while the relay is down), and says when the next unclaimed row falls due. A
recorded attempt clears the claim (and moves `due_at`, or ends it); `release_claims` hands rows
back untouched (the relay was down: no attempt); `release_all_claims` frees every claim, for a
dispatcher that has just taken the single-writer lock from one that stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple, dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Composed, Identifier

from hotline_notifier.domain.notification import Notification


@dataclass(frozen=True)
class DeliveryRow:
    notification_id: UUID
    kind: str
    channel: str
    recipient: str
    subject: str
    ticket_number: str | None
    requested_at: datetime
    state: str
    attempts: int
    last_result: str | None
    due_at: datetime | None  # while pending: the next attempt (system clock)
    updated_at: datetime

    @classmethod
    def of(cls, n: Notification) -> DeliveryRow:
        due = (n.next_attempt_at or n.created_on) if n.pending else None
        return cls(n.id, n.kind, n.channel, n.recipient, n.subject, n.ticket_number, n.created_on,
                   n.state, n.attempts, n.last_result, due, n.modified_on)


COLUMNS = tuple(f.name for f in fields(DeliveryRow))
TYPES = ("uuid", "text", "text", "text", "text", "text", "timestamptz", "text", "int4", "text",
         "timestamptz", "timestamptz")
LISTED = ", ".join(COLUMNS) + ", claimed_at"


class DeliverySql:
    """The delivery index's statements, for `<schema>.<name>`."""

    def __init__(self, schema: str, name: str) -> None:
        s, t = Identifier(schema), Identifier(name)
        columns = ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, TYPES, strict=True))
        self.create: list[Composed] = [SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (" + columns + ", claimed_at timestamptz, "
            "PRIMARY KEY (notification_id))").format(s, t)]
        for suffix, indexed in (("_due_idx", "(due_at) WHERE state = 'pending'"),
                                ("_ticket_idx", "(ticket_number)"),
                                ("_unsent_idx", "(updated_at) WHERE state <> 'sent'")):
            self.create.append(SQL("CREATE INDEX IF NOT EXISTS {} ON {}.{} " + indexed
                                   ).format(Identifier(name + suffix), s, t))
        self.insert = SQL("INSERT INTO {}.{} (" + ", ".join(COLUMNS) + ") SELECT * FROM unnest("
                          + ", ".join(f"%s::{t}[]" for t in TYPES) + ") ON CONFLICT (notification_id) "
                          ).format(s, t)
        self.update = SQL("DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[7:])
                          + ", claimed_at = NULL")
        self.claim = SQL(
            "UPDATE {s}.{t} SET claimed_at = %(now)s WHERE ctid = ANY(ARRAY("
            " SELECT ctid FROM {s}.{t} WHERE state = 'pending' AND claimed_at IS NULL"
            " AND due_at <= %(now)s AND NOT channel = ANY(%(paused)s)"
            " ORDER BY due_at LIMIT %(limit)s FOR UPDATE SKIP LOCKED)) RETURNING notification_id"
        ).format(s=s, t=t)
        self.next_due = SQL(
            "SELECT min(due_at) AS due FROM {}.{} WHERE state = 'pending' AND claimed_at IS NULL"
            " AND NOT channel = ANY(%(paused)s)").format(s, t)
        self.release = SQL("UPDATE {}.{} SET claimed_at = NULL WHERE notification_id = ANY(%s)"
                           " AND claimed_at IS NOT NULL").format(s, t)
        self.release_all = SQL("UPDATE {}.{} SET claimed_at = NULL WHERE claimed_at IS NOT NULL"
                               ).format(s, t)
        select = "SELECT " + LISTED + " FROM {}.{} "
        self.of_ticket = SQL(select + "WHERE ticket_number = %s ORDER BY requested_at, "
                             "notification_id").format(s, t)
        self.failed = SQL(select + "WHERE state = 'given-up' OR (state = 'pending' AND attempts > 0)"
                          " ORDER BY updated_at DESC LIMIT %s").format(s, t)
        self.count = SQL("SELECT count(*) AS n FROM {}.{}").format(s, t)
        self.truncate = SQL("TRUNCATE {}.{}").format(s, t)


class DeliveryIndex:
    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)  # type: ignore[call-arg]
        prefix = self.events_table_name.removesuffix("_events")  # type: ignore[attr-defined]
        self._delivery_sql = DeliverySql(self.datastore.schema, f"{prefix}_deliveries")  # type: ignore[attr-defined]
        self.sql_create_statements += self._delivery_sql.create  # type: ignore[attr-defined]

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_events(curs, stored_events, **kwargs)  # type: ignore[misc]
        if kwargs.get("deliveries"):
            self._write_deliveries(curs, kwargs["deliveries"], self._delivery_sql.update)

    def _write_deliveries(self, curs: Any, rows: Sequence[DeliveryRow], conflict: SQL) -> None:
        columns = zip(*map(astuple, rows), strict=True)
        curs.execute(self._delivery_sql.insert + conflict, [list(c) for c in columns])

    # -- the dispatcher ------------------------------------------------------------------------
    def claim_due_deliveries(self, now: datetime, limit: int, paused: Sequence[str] = ()
                             ) -> tuple[list[UUID], datetime | None]:
        """Claim up to `limit` due rows; also returns when the next unclaimed one falls due."""
        values = {"now": now, "limit": limit, "paused": list(paused)}
        with self._delivery_transaction() as curs:
            claimed = []
            if limit > 0:
                curs.execute(self._delivery_sql.claim, values)
                claimed = [r["notification_id"] for r in curs.fetchall()]
            curs.execute(self._delivery_sql.next_due, values)
            return claimed, curs.fetchone()["due"]

    def release_claims(self, notification_ids: Sequence[UUID]) -> None:
        with self._delivery_transaction() as curs:
            curs.execute(self._delivery_sql.release, (list(notification_ids),))

    def release_all_claims(self) -> None:
        with self._delivery_transaction() as curs:
            curs.execute(self._delivery_sql.release_all)

    # -- listing and rebuilding ----------------------------------------------------------------
    def deliveries_of_ticket(self, ticket_number: str) -> list[dict[str, Any]]:
        return self._fetch_deliveries(self._delivery_sql.of_ticket, (ticket_number,))

    def failed_deliveries(self, limit: int) -> list[dict[str, Any]]:
        """Given up, and still retrying after a failed attempt; most recently changed first."""
        return self._fetch_deliveries(self._delivery_sql.failed, (limit,))

    def count_deliveries(self) -> int:
        return self._fetch_deliveries(self._delivery_sql.count, ())[0]["n"]

    def backfill_deliveries(self, rows: Sequence[DeliveryRow], *, replace: bool = False) -> None:
        """Add rows the index lacks (every row, after emptying it, with `replace`)."""
        with self._delivery_transaction() as curs:
            if replace:
                curs.execute(self._delivery_sql.truncate)
            if rows:
                self._write_deliveries(curs, rows, SQL("DO NOTHING"))

    def _delivery_transaction(self) -> Any:
        return self.datastore.transaction(commit=True)  # type: ignore[attr-defined]

    def _fetch_deliveries(self, statement: Any, params: Sequence[Any]) -> list[dict[str, Any]]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:  # type: ignore[attr-defined]
            curs.execute(statement, params)
            return curs.fetchall()
