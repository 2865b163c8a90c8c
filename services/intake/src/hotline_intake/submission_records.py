"""The use cases that record what a submission became when it opened no ticket (rejected,
ignored, duplicate), and the submission log that answers "seen before?" and "how many lately?".

`SubmissionRecords` is a part of `IntakeApplication`: every save that adds a submission goes
through `_save_submission`, which hands the recorder the event's log row (`row_of`) so both are
written in one transaction. What is echoed from an email is bounded here (subject 998
characters, detail 2000), so no event grows with its input.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from time import monotonic
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from hotline.clock import Clock
from hotline_intake.adapters.submission_rows import SubmissionRow, row_of
from hotline_intake.domain.fields import DETAIL_MAX, SUBJECT_MAX, cut
from hotline_intake.domain.subject import EXPECTED_SUBJECT_FORMAT
from hotline_intake.domain.submission import (
    DuplicateSubmission,
    IgnoredSubmission,
    RejectedSubmission,
)

RATE_WINDOW = timedelta(hours=1)
"""The window of both rate limits (replies per address, tickets per customer)."""
PURGE_EVERY = 1.0
"""Seconds between purges of the submission log, per process: the purge rides on the next save
after that (up to `adapters.submission_log.PURGE_BATCH` rows). On every save, planning it
alone cost PostgreSQL half a millisecond per email in the surge, to find nothing to purge."""


class SubmissionRecords:
    """Part of `IntakeApplication` (an eventsourcing Application): uses its `save`, `recorder`
    and `mapper`."""

    clock: Clock
    duplicate_window: timedelta
    recorder: Any
    _purged_at: float = float("-inf")  # monotonic() of the last save that purged

    def reject_submission(
        self, *, channel: str, sender: str | None, subject: str | None, reason: str,
        detail: str, size: int | None = None, message_id: str | None = None,
        received_at: datetime | None = None, trace_context: dict[str, str] | None = None,
        reply: bool = True, actor: dict[str, str] | None = None,
        ticket_number: str | None = None, notify: str | None = None,
    ) -> UUID:
        """`notify`: where the reply goes instead of the sender (a reply to a ticket from
        someone who is not its customer's contact tells the ticket's contact)."""
        rejection = RejectedSubmission(
            channel=channel, sender=sender, subject=_subject(subject), reason=reason,
            detail=cut(detail, DETAIL_MAX), expected_format=EXPECTED_SUBJECT_FORMAT,
            received_at=received_at or self.clock.now(), size=size, message_id=message_id,
            trace_context=trace_context or {}, reply=reply, actor=actor, ticket_number=ticket_number, notify=notify,
        )
        self._save_submission(rejection)
        return rejection.id

    def ignore_submission(
        self, *, sender: str | None, subject: str | None, message_id: str | None, reason: str,
        detail: str, size: int | None = None, received_at: datetime | None = None,
        trace_context: dict[str, str] | None = None, actor: dict[str, str] | None = None,
    ) -> UUID:
        ignored = IgnoredSubmission(
            channel="email", sender=sender, subject=_subject(subject), message_id=message_id,
            reason=reason, detail=cut(detail, DETAIL_MAX), received_at=received_at or self.clock.now(),
            size=size, trace_context=trace_context or {}, actor=actor,
        )
        self._save_submission(ignored)
        return ignored.id

    def record_duplicate(
        self, original: SubmissionRow, *, subject: str | None, received_at: datetime | None = None,
        trace_context: dict[str, str] | None = None, actor: dict[str, str] | None = None,
    ) -> UUID:
        """Record that `original` was submitted again: nothing else happens."""
        duplicate = DuplicateSubmission(
            channel="email", sender=original.sender, subject=_subject(subject),
            message_id=original.message_id, received_at=received_at or self.clock.now(),
            original_submission_id=original.submission_id, original_outcome=original.outcome,
            original_ticket_number=original.ticket_number, trace_context=trace_context or {},
            actor=actor,
        )
        self.save(duplicate)  # type: ignore[attr-defined]
        return duplicate.id

    # -- the submission log ------------------------------------------------------------------
    def original_submission(self, sender: str, message_id: str) -> SubmissionRow | None:
        """The submission with this sender and Message-ID within the duplicate window."""
        return self.recorder.original(sender, message_id, self.clock.now() - self.duplicate_window)

    def replies_in_window(self, address: str) -> int:
        """Replies owed to `address` in the last hour (the reply rate limit counts these)."""
        return self.recorder.count_replies(address, self.clock.now() - RATE_WINDOW)

    def tickets_in_window(self, customer: str) -> int:
        """Tickets opened for `customer` in the last hour, over any channel."""
        return self.recorder.count_tickets(customer, self.clock.now() - RATE_WINDOW)

    def rebuild_submission_log(self) -> int:
        """Rebuild the submission log from the event log (rows the duplicate window and the
        rate limits no longer need are left out). Returns how many rows it holds."""
        since = self.clock.now() - max(self.duplicate_window, RATE_WINDOW)
        rows: dict[Any, SubmissionRow] = {}
        start = 1
        while batch := self.recorder.select_notifications(start=start, limit=1000):
            start = batch[-1].id + 1
            for notification in batch:
                row = row_of(self.mapper.to_domain_event(notification))  # type: ignore[attr-defined]
                if row is not None and row.received_at >= since:
                    keyed = row.message_id and row.sender
                    key = (row.sender, row.message_id) if keyed else row.submission_id
                    rows.pop(key, None)  # a newer submission takes over a key past the window
                    rows[key] = row
        self.recorder.replace_submissions(list(rows.values()))
        return len(rows)

    def _save_submission(self, aggregate: Aggregate, *more: Aggregate, **kwargs: Any) -> None:
        """Save a submission's aggregate (and any others it brings, in the same transaction)
        with its row in the submission log."""
        now = self.clock.now()
        if (purge := (started := monotonic()) - self._purged_at >= PURGE_EVERY):
            self._purged_at = started  # a racing save may purge too: harmless
        self.save(aggregate, *more, submission=row_of(aggregate.pending_events[0]),
                  key_since=now - self.duplicate_window,
                  purge_before=now - max(self.duplicate_window, RATE_WINDOW) if purge else None,
                  **kwargs)


def _subject(subject: str | None) -> str | None:
    return cut(subject, SUBJECT_MAX) if subject is not None else None
