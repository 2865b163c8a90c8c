"""Effectively-once processing of upstream events inside an eventsourcing Application.

A consumer applies a message and records a tracking row — (source service, source
log position) — in the same PostgreSQL transaction as the events it writes. A
redelivered message, or the same event republished after a broker lost a topic,
finds its tracking row and changes nothing. Kafka offsets only say where to fetch.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, ProcessRecorder, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg.sql import SQL, Identifier


class TrackedApplication(Application):
    """An Application whose recorder also keeps tracking rows (multi-row on PostgreSQL)."""

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    def already_processed(self, tracking: Tracking) -> bool:
        recorder = self.recorder
        if isinstance(recorder, PostgresTrackingRecorder) and not recorder.datastore.single_row_tracking:
            statement = SQL(
                "SELECT 1 FROM {}.{} WHERE application_name = %s AND notification_id = %s"
            ).format(Identifier(recorder.datastore.schema), Identifier(recorder.tracking_table_name))
            with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute(statement, (tracking.application_name, tracking.notification_id))
                return curs.fetchone() is not None
        # In-memory (POPO) recorders keep one maximum per name: fine for in-order unit tests.
        return recorder.has_tracking_id(tracking.application_name, tracking.notification_id)

    def save_tracked(self, tracking: Tracking, *objs: Any) -> bool:
        """Save the aggregates' new events with the tracking row, atomically.

        Returns False when the position had already been processed (by a racing
        instance or an earlier delivery): nothing is written then.
        """
        processing_event = ProcessingEvent(tracking=tracking)
        processing_event.collect_events(*objs)
        try:
            recordings = self._record(processing_event)
        except IntegrityError:
            if self.already_processed(tracking):
                return False
            raise
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return True
