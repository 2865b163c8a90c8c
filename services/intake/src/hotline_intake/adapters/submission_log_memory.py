"""The submission log in memory, for unit tests on POPO persistence: the same rows, key and
queries as `SubmissionLogRecorder`, checked and written under the recorder's lock with the
events (a key already taken within the window is an IntegrityError)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder

from hotline_intake.adapters.submission_rows import TICKET, SubmissionRow


class MemorySubmissionLogRecorder(POPOApplicationRecorder):
    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[UUID, SubmissionRow] = {}
        self.descriptions: dict[UUID, str] = {}

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        row: SubmissionRow | None = kwargs.get("submission")
        if row is not None and row.sender is not None and row.message_id is not None:
            taken = self._original(row.sender, row.message_id, kwargs.get("key_since"))
            if taken is not None:
                raise IntegrityError(f"{row.sender} {row.message_id} is already submission "
                                     f"{taken.submission_id}")

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._update_table(stored_events, **kwargs)
        if (description := kwargs.get("description")) is not None:
            self.descriptions[description[0]] = description[1]
        if (row := kwargs.get("submission")) is not None:
            self._drop_stale(row, kwargs.get("key_since"))
            self.rows[row.submission_id] = row
        if (purge_before := kwargs.get("purge_before")) is not None:
            for old in [r for r in self.rows.values() if r.received_at < purge_before]:
                del self.rows[old.submission_id]
        return notification_ids

    def _drop_stale(self, row: SubmissionRow, key_since: datetime | None) -> None:
        stale = self._original(row.sender, row.message_id, None)
        if stale is not None and (key_since is None or stale.received_at < key_since):
            del self.rows[stale.submission_id]

    def _original(self, sender: str | None, message_id: str | None,
                  since: datetime | None) -> SubmissionRow | None:
        return next((r for r in self.rows.values()
                     if sender is not None and message_id is not None
                     and (r.sender, r.message_id) == (sender, message_id)
                     and (since is None or r.received_at >= since)), None)

    def original(self, sender: str, message_id: str, since: datetime) -> SubmissionRow | None:
        with self._database_lock:
            return self._original(sender, message_id, since)

    def count_replies(self, address: str, since: datetime) -> int:
        with self._database_lock:
            return sum(r.reply_to == address and r.received_at >= since for r in self.rows.values())

    def count_tickets(self, customer: str, since: datetime) -> int:
        with self._database_lock:
            return sum(r.outcome == TICKET and r.customer == customer and r.received_at >= since
                       for r in self.rows.values())

    def description(self, ticket_id: UUID) -> str | None:
        with self._database_lock:
            return self.descriptions.get(ticket_id)

    def replace_submissions(self, rows: Sequence[SubmissionRow]) -> None:
        with self._database_lock:
            self.rows = {row.submission_id: row for row in rows}
