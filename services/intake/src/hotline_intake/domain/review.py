"""The OutageReview aggregate: a P1 outage reviewed with the customer to determine its cause.

The contract: a Priority 1 call outside Standard Support Hours is reviewed; if the provider is
found not at fault, the customer pays for the off-hours support. One review per ticket (its id
derives from the ticket's). It opens by itself for a P1 received in Off Hours, or for a ticket
raised to P1 in Off Hours, or by an agent's hand. Engineers log work against it: an entry may
not overlap another of the same engineer's, and only its part in Off Hours (on the support
calendar, computed by the application) counts as off-hours time. After the ticket's resolution
a reviewer records the outcome; recording again supersedes it with a new revision, nothing is
edited. Commands that do not fit raise `TicketRuleViolation` with a reason code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hotline_intake.domain.violation import TicketRuleViolation
from hotline_intake.domain.work_log import MAX_ENTRY, NOTE_MAX, check_entry  # noqa: F401 (re-exported)

OUTCOMES = ("provider-at-fault", "customer-equipment", "customer-configuration", "third-party",
            "carrier", "undetermined")
"""What a review can find; only `provider-at-fault` puts the provider at fault."""

REASON_MAX = 2000
REVIEW_NAMESPACE = uuid5(NAMESPACE_URL, "https://hotline.example/outage-reviews")


def review_id(ticket_id: UUID) -> UUID:
    return uuid5(REVIEW_NAMESPACE, str(ticket_id))


class OutageReview(Aggregate):
    @staticmethod
    def create_id(ticket_id: UUID, **_: Any) -> UUID:
        return review_id(ticket_id)

    @event("Opened")
    def __init__(self, *, ticket_id: UUID, number: str, customer: str, priority: int,
                 opened_at: datetime, because: str, note: str | None = None,
                 actor: dict[str, str] | None = None) -> None:
        self.ticket_id = ticket_id
        self.number = number
        self.customer = customer
        self.priority = priority
        self.opened_at = opened_at
        self.because = because
        self.work_log: list[dict[str, Any]] = []  # entries, in the order logged
        self.outcomes: list[dict[str, Any]] = []  # every recorded outcome; the last one stands

    @property
    def outcome(self) -> dict[str, Any] | None:
        return self.outcomes[-1] if self.outcomes else None

    @property
    def off_hours_minutes(self) -> int:
        return sum(e["off_hours_minutes"] for e in self.work_log)

    # -- commands ---------------------------------------------------------------------------
    def log_work(self, *, entry_id: UUID, engineer: str, start: datetime, end: datetime, note: str,
                 minutes: int, off_hours_minutes: int, logged_at: datetime, calendar_version: str,
                 actor: dict[str, str] | None = None) -> None:
        check_entry(self.work_log, number=self.number, entry_id=entry_id, engineer=engineer,
                    start=start, end=end, logged_at=logged_at)
        self._work_logged(**self._names(), entry=dict(
            entry_id=entry_id, engineer=engineer, start=start, end=end, note=note[:NOTE_MAX],
            minutes=minutes, off_hours_minutes=off_hours_minutes, logged_at=logged_at),
            calendar_version=calendar_version, actor=actor)

    def record(self, *, outcome: str, reason: str, recorded_at: datetime, priority: int,
               calendar_version: str, actor: dict[str, str] | None = None) -> None:
        if outcome not in OUTCOMES:
            raise TicketRuleViolation("bad_outcome", f"outcome must be one of {', '.join(OUTCOMES)}")
        if not reason.strip():
            raise TicketRuleViolation("no_reason", "a review outcome needs its reason")
        self._recorded(**self._names(), revision=len(self.outcomes) + 1, outcome=outcome,
                       reason=reason[:REASON_MAX], recorded_at=recorded_at, priority=priority,
                       work_log=[dict(e) for e in self.work_log], calendar_version=calendar_version,
                       actor=actor)

    def _names(self) -> dict[str, Any]:
        """What every event carries so it reads on its own (the relay sees only the event)."""
        return dict(ticket_id=self.ticket_id, number=self.number, customer=self.customer)

    # -- events ---------------------------------------------------------------------------
    @event("WorkLogged")
    def _work_logged(self, ticket_id: UUID, number: str, customer: str, entry: dict[str, Any],
                     calendar_version: str, actor: dict[str, str] | None) -> None:
        self.work_log.append(entry)

    @event("Recorded")
    def _recorded(self, ticket_id: UUID, number: str, customer: str, revision: int, outcome: str,
                  reason: str, recorded_at: datetime, priority: int, work_log: list[dict[str, Any]],
                  calendar_version: str, actor: dict[str, str] | None) -> None:
        self.outcomes.append(dict(revision=revision, outcome=outcome, reason=reason,
                                  recorded_at=recorded_at, priority=priority, actor=actor))
