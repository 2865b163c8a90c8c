"""What a submission became, as the edges (SMTP, HTTP) answer it: exactly one of these."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from hotline_intake.adapters.submission_rows import SubmissionRow
from hotline_intake.domain.ticket import Ticket


@dataclass(frozen=True)
class Opened:
    ticket: Ticket


@dataclass(frozen=True)
class Rejected:
    submission_id: UUID
    reason: str
    detail: str
    reply_to: str | None
    reply: bool = True  # False: over the reply limit, or nobody to answer


@dataclass(frozen=True)
class Ignored:
    submission_id: UUID
    reason: str
    detail: str


@dataclass(frozen=True)
class Duplicate:
    submission_id: UUID
    original: SubmissionRow


@dataclass(frozen=True)
class Commented:
    """An emailed reply threaded into its ticket as a comment (`followed`: what the clocks did,
    e.g. `customer-responded`, `reopened`); `resent`: the same email was threaded before."""

    ticket: Ticket
    comment_id: UUID
    followed: tuple[str, ...] = ()
    resent: bool = False


@dataclass(frozen=True)
class Replayed:
    """An HTTP request whose Idempotency-Key (from the same caller) opened `ticket` before:
    nothing new is recorded; the edge answers as it did then."""

    ticket: Ticket


class IdempotencyKeyReused(Exception):
    """The caller's Idempotency-Key opened `number` with a different request (HTTP 422)."""

    def __init__(self, key: str, number: str) -> None:
        super().__init__(f"the Idempotency-Key {key!r} opened {number} with a different "
                         "request; send a new key for a new ticket")
        self.number = number


Outcome = Opened | Rejected | Ignored | Duplicate | Commented | Replayed
