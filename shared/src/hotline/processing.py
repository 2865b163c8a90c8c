"""Effectively-once processing of upstream events inside an eventsourcing Application.

A consumer applies a message and records a tracking row — (source service, source
log position) — in the same PostgreSQL transaction as the events it writes. A
redelivered message, or the same event republished after a broker lost a topic,
finds its tracking row and changes nothing. Kafka offsets only say where to fetch.

A batch of messages can be applied the same way in one transaction: `processed` finds which
positions were applied before with one query, and `save_tracked_many` writes the new events
with every tracking row of the batch (`MultiTrackingRecorder` on PostgreSQL,
`POPOMultiTrackingRecorder` in memory). A position already recorded still fails the whole
transaction with `IntegrityError`, so racing instances cannot both apply it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, ProcessRecorder, StoredEvent, Tracking
from eventsourcing.popo import POPOFactory, POPOProcessRecorder
from eventsourcing.postgres import (PostgresAggregateRecorder, PostgresFactory, PostgresProcessRecorder,
                                    PostgresTrackingRecorder)
from psycopg.sql import SQL, Composed, Identifier

from hotline.audit.chain import HashChainRecorder
from hotline.replay import event_decoder

T = TypeVar("T")


class ColumnarInsertRecorder:
    """Mixin for eventsourcing's PostgreSQL application recorder: inserts stored events as four
    column arrays dumped in binary, `unnest(ids, versions, topics, states)`, instead of one
    array of a composite type. The rows, the table lock and the NOTIFY are the library's; only
    the encoding differs. psycopg dumps a composite array field by field in Python, in text,
    which cost about 50 µs per event (a third of sla-timer's firing time); this costs about 10.
    """

    def _insert_stored_events(self, curs: Any, stored_events: Sequence[StoredEvent], **_: Any) -> None:
        self._lock_table(curs)  # type: ignore[attr-defined]
        self._notify_channel(curs)  # type: ignore[attr-defined]
        curs.execute(self._columnar_insert, (
            [e.originator_id for e in stored_events], [e.originator_version for e in stored_events],
            [e.topic for e in stored_events], [e.state for e in stored_events],
        ), prepare=True)

    @cached_property
    def _columnar_insert(self) -> Composed:
        datastore = self.datastore  # type: ignore[attr-defined]
        return SQL(
            "INSERT INTO {}.{} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{}[], %b::int4[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(Identifier(datastore.schema), Identifier(self.events_table_name),  # type: ignore[attr-defined]
                 Identifier(datastore.originator_id_type))


class MultiTrackingRecorder:
    """Mixin for a PostgreSQL process recorder: also inserts `trackings=[...]` passed to
    `insert_events`, in the same transaction (plain INSERTs: a duplicate is an IntegrityError)."""

    def _insert_events(self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        for tracking in kwargs.get("trackings") or ():
            self._insert_tracking(curs, tracking)  # type: ignore[attr-defined]
        super()._insert_events(curs, stored_events, **kwargs)  # type: ignore[misc]


class PostgresMultiTrackingRecorder(HashChainRecorder, MultiTrackingRecorder, ColumnarInsertRecorder,
                                    PostgresProcessRecorder):
    pass


class POPOMultiTrackingRecorder(POPOProcessRecorder):
    """In memory: `trackings=[...]` checked and recorded under the recorder's lock, with the events."""

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        for tracking in kwargs.get("trackings") or ():
            self._assert_tracking_uniqueness(tracking)

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._update_table(stored_events, **kwargs)
        for tracking in sorted(kwargs.get("trackings") or (), key=lambda t: t.notification_id):
            self._insert_tracking(tracking)
        return notification_ids


class TrackedApplication(Application):
    """An Application whose recorder also keeps tracking rows (multi-row on PostgreSQL)."""

    def construct_recorder(self) -> ProcessRecorder:
        if isinstance(self.factory, POPOFactory):
            return POPOMultiTrackingRecorder()
        if isinstance(self.factory, PostgresFactory) and not self.factory.env.get(
                self.factory.PROCESS_RECORDER_TOPIC):
            prefix = self.env.name.lower()
            recorder = PostgresMultiTrackingRecorder(
                self.factory.datastore, events_table_name=f"{prefix}_events",
                tracking_table_name=f"{prefix}_tracking")
            if self.factory.env_create_table():
                recorder.create_table()
            return recorder
        return self.factory.process_recorder()

    def processed(self, trackings: Iterable[Tracking]) -> set[Tracking]:
        """Which of these positions were applied before (one query on multi-row PostgreSQL)."""
        trackings = list(trackings)
        recorder = self.recorder
        if not trackings:
            return set()
        if isinstance(recorder, PostgresTrackingRecorder) and not recorder.datastore.single_row_tracking:
            # One primary-key probe per position (a subquery in the select list is run per
            # row, never turned into a join): an IN (unnest) was planned as a hash join over
            # a sequential scan of the whole tracking table, which only grows.
            rows = self._rows(
                "SELECT application_name, notification_id FROM (SELECT a AS application_name, "
                "n AS notification_id, (SELECT true FROM {} WHERE application_name = a "
                "AND notification_id = n) AS found FROM unnest(%s::text[], %s::bigint[]) AS u(a, n)"
                ") AS probed WHERE found", recorder.tracking_table_name,
                ([t.application_name for t in trackings], [t.notification_id for t in trackings]))
            found = {(r["application_name"], r["notification_id"]) for r in rows}
            return {t for t in trackings if (t.application_name, t.notification_id) in found}
        return {t for t in trackings if self.already_processed(t)}

    def unprocessed(self, events: Iterable[T], event_of: Callable[[T], Any] = lambda e: e
                    ) -> list[tuple[Tracking, T]]:
        """What a batch still owes, in order, each with its tracking: the same message twice in
        the batch kept once, and positions applied before (one query) left out. `event_of`
        finds the CloudEvent in an item."""
        fresh: dict[Tracking, T] = {}
        for item in events:
            event = event_of(item)
            fresh.setdefault(Tracking(event.source_service, event.position), item)
        done = self.processed(fresh)
        return [(tracking, item) for tracking, item in fresh.items() if tracking not in done]

    def existing(self, aggregate_ids: Iterable[UUID]) -> set[UUID]:
        """Which of these aggregates have events (one query on PostgreSQL)."""
        ids = list(aggregate_ids)
        recorder = self.recorder
        if not ids:
            return set()
        if isinstance(recorder, PostgresAggregateRecorder):
            return {r["originator_id"] for r in self._rows(  # one index probe per id, as in `processed`
                "SELECT id AS originator_id FROM (SELECT id, (SELECT true FROM {} "
                "WHERE originator_id = id LIMIT 1) AS found FROM unnest(%s::uuid[]) AS id) "
                "AS probed WHERE found", recorder.events_table_name, (ids,))}
        return {i for i in ids if i in self.repository}

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        """These aggregates as `repository.get` makes them from their events, with one query
        on PostgreSQL instead of one each (snapshots are not read: for aggregates of a few
        events). An id without events is left out."""
        ids = list(aggregate_ids)
        recorder = self.recorder
        if not ids:
            return {}
        if not isinstance(recorder, PostgresAggregateRecorder):
            return {i: self.repository.get(i) for i in ids if i in self.repository}
        rows = self._rows("SELECT originator_id, originator_version, topic, state FROM {} "
                          "WHERE originator_id = ANY(%s::uuid[]) ORDER BY originator_id, originator_version",
                          recorder.events_table_name, (ids,))
        # Not `replay.fold`: it freezes what it built for the collector, right for a rebuild,
        # a leak in a service that loads aggregates all day.
        decode, loaded = event_decoder(self.mapper), {}
        for row in rows:
            event = decode(StoredEvent(originator_id=row["originator_id"], topic=row["topic"],
                                       originator_version=row["originator_version"],
                                       state=bytes(row["state"])))
            loaded[event.originator_id] = event.mutate(loaded.get(event.originator_id))
        return loaded

    def already_processed(self, tracking: Tracking) -> bool:
        recorder = self.recorder
        if isinstance(recorder, PostgresTrackingRecorder) and not recorder.datastore.single_row_tracking:
            return bool(self._rows(
                "SELECT 1 FROM {} WHERE application_name = %s AND notification_id = %s",
                recorder.tracking_table_name, (tracking.application_name, tracking.notification_id)))
        # In-memory (POPO) recorders keep one maximum per name: fine for in-order unit tests.
        return recorder.has_tracking_id(tracking.application_name, tracking.notification_id)

    def _rows(self, statement: str, table: str, params: Any) -> list[dict[str, Any]]:
        """The rows of `statement`, whose `{}` is `table` in this application's schema."""
        datastore = self.recorder.datastore
        query = SQL(statement).format(Identifier(datastore.schema, table))  # type: ignore[arg-type]
        with datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, params)
            return curs.fetchall()

    def save_tracked(self, tracking: Tracking, *objs: Any, **kwargs: Any) -> bool:
        """Save the aggregates' new events with the tracking row, atomically. `kwargs` reach
        the recorder's insert transaction (as with `Application.save`).

        Returns False when the position had already been processed (by a racing
        instance or an earlier delivery): nothing is written then.
        """
        processing_event = ProcessingEvent(tracking=tracking)
        processing_event.collect_events(*objs, **kwargs)
        try:
            recordings = self._record(processing_event)
        except IntegrityError:
            if self.already_processed(tracking):
                return False
            raise
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return True

    def save_tracked_many(self, trackings: Sequence[Tracking], *objs: Any, **kwargs: Any) -> None:
        """Save the aggregates' new events with all these tracking rows, atomically.

        Raises IntegrityError if any position was recorded meanwhile (or an aggregate was
        appended to): nothing is written then, and the caller applies the batch one by one.
        """
        if not isinstance(self.recorder, (MultiTrackingRecorder, POPOMultiTrackingRecorder)):
            raise TypeError(f"{type(self.recorder).__name__} cannot record several trackings at once")
        processing_event = ProcessingEvent()
        processing_event.collect_events(*objs, trackings=list(trackings), **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
