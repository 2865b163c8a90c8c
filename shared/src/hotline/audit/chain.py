"""The hash chain of a service's event log, written in the transaction that inserts the events.

Each stored event's hash is `link(previous hash, notification_id, originator_id,
originator_version, topic, state)` (SHA-256 over length-prefixed fields), kept in
`<schema>.<app>_chain (notification_id, prev_id, hash)` where `prev_id` is the event chained
before it. eventsourcing's PostgreSQL recorder locks the events table in each insert
transaction, so inserts are serialized and "the previous hash" is the chain's last row, read
under that lock.

The chain begins with a start row `(M, NULL, GENESIS)` written when the table is created:
events up to M were stored before the chain existed and are not covered (no backfill). The
table, its start row and the lock are created in one statement, only when the table is missing,
so a chain emptied later stays visibly empty rather than restarting.

`HashChainRecorder` is the mixin every service's PostgreSQL recorder composes in front of the
insert (`_insert_stored_events`); in-memory recorders keep no chain.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from collections.abc import Sequence
from typing import Any

import psycopg
import psycopg.errors
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError, StoredEvent
from eventsourcing.utils import retry
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier, Literal

GENESIS = bytes(32)
"""The previous hash of the chain's first event, and the hash of its start row."""

_FIXED = struct.Struct(">qqII")
_failed = threading.local()  # the insert error `_insert_stored_events` saw, per thread


def link(prev: bytes, notification_id: int, originator_id: object, originator_version: int,
         topic: str, state: bytes) -> bytes:
    """The hash of one event chained after `prev`."""
    oid, name = str(originator_id).encode(), topic.encode()
    return hashlib.sha256(b"".join((
        prev, _FIXED.pack(notification_id, originator_version, len(oid), len(name)),
        oid, name, state))).digest()


def chain_hashes(prev: bytes, notification_ids: Sequence[int],
                 stored_events: Sequence[StoredEvent]) -> list[bytes]:
    """The hashes of events appended in order after `prev`."""
    hashes = []
    for notification_id, e in zip(notification_ids, stored_events, strict=True):
        prev = link(prev, notification_id, e.originator_id, e.originator_version, e.topic, e.state)
        hashes.append(prev)
    return hashes


class HashChainRecorder:
    """Mixin for an eventsourcing PostgreSQL application recorder (in front of its insert):
    chains the inserted events in the same transaction, under the same table lock."""

    def __init__(self, datastore: Any, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)  # type: ignore[call-arg]
        self.chain_table_name = self.events_table_name.removesuffix("_events") + "_chain"  # type: ignore[attr-defined]
        schema, table = Identifier(datastore.schema), Identifier(self.chain_table_name)
        events = Identifier(self.events_table_name)  # type: ignore[attr-defined]
        qualified = Literal(f'"{datastore.schema}"."{self.chain_table_name}"')
        self.sql_create_statements.append(SQL(  # type: ignore[attr-defined]
            "DO $$ BEGIN IF to_regclass({q}) IS NULL THEN "
            "CREATE TABLE {s}.{c} (notification_id bigint PRIMARY KEY, prev_id bigint, "
            "hash bytea NOT NULL); "
            "LOCK TABLE {s}.{e} IN EXCLUSIVE MODE; "
            "INSERT INTO {s}.{c} SELECT coalesce(max(notification_id), 0), NULL, {g} FROM {s}.{e}; "
            "END IF; END $$"
        ).format(q=qualified, s=schema, c=table, e=events, g=Literal(GENESIS)))
        self._chain_head = SQL(
            "SELECT notification_id, hash FROM {}.{} ORDER BY notification_id DESC LIMIT 1"
        ).format(schema, table)
        self._chain_insert = SQL(
            "INSERT INTO {}.{} (notification_id, prev_id, hash) "
            "SELECT * FROM unnest(%b::int8[], %b::int8[], %b::bytea[])"
        ).format(schema, table)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        """The library's, raising a conflict as `IntegrityError` however the pipeline ends.
        The head query waits in the pipeline behind the insert; when a key fails (a racing
        instance), psycopg can raise PipelineAborted for the statements behind it at the
        pipeline's exit, which eventsourcing reports as an OperationalError in place of the
        IntegrityError it caught, and retries: ten times over two seconds, failing the same
        way each time. So one attempt of the library's runs here (its `__wrapped__`), and a
        conflict hidden that way is raised as the insert's own IntegrityError, at once."""
        attempt = super().insert_events.__wrapped__  # type: ignore[misc]
        _failed.error = None
        try:
            return attempt(self, stored_events, **kwargs)
        except OperationalError as aborted:
            failed, _failed.error = _failed.error, None
            if isinstance(aborted.__cause__, psycopg.errors.PipelineAborted) and \
                    isinstance(failed, psycopg.IntegrityError):
                raise IntegrityError(str(failed)) from failed
            raise

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        try:
            self._insert_chained(curs, stored_events, **kwargs)
        except psycopg.Error as error:  # a key taken (IntegrityError), seen here first
            _failed.error = error  # for `insert_events`, if the pipeline's exit hides it
            raise

    def _insert_chained(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._insert_stored_events(curs, stored_events, **kwargs)  # type: ignore[misc]  # locks
        chain = curs.connection.cursor(row_factory=tuple_row)
        chain.execute(self._chain_head, prepare=True)  # pipelined with the insert, if in a pipeline
        rows = curs.fetchall()  # RETURNING notification_id (raises IntegrityError on a conflict)
        curs.scroll(0, "absolute")  # the caller fetches the ids again
        ids = [row[0] if isinstance(row, tuple) else row["notification_id"] for row in rows]
        head = chain.fetchone()
        prev_id, prev = head if head is not None else (None, GENESIS)
        hashes = chain_hashes(bytes(prev), ids, stored_events)
        chain.execute(self._chain_insert, (ids, [prev_id, *ids[:-1]], hashes), prepare=True)
