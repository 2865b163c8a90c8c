"""The MaintenanceWindow aggregate: planned or emergency work on the platform that may impact
customers' service, or a relevant change made to it (the contract's "Notification of Potential
Maintenance or Changes").

Its `kind` is `maintenance` (work in a window; events recorded before kinds existed are
maintenance) or `change` (a relevant platform change: `starts_at` is when it takes effect,
`ends_at` defaults to it, or is when the change is rolled out by). A change is kept like a
window: the same lead time and emergency rule, rescheduled, cancelled, taking effect at its
start and completed by command; but it gets no reminder (its notice and its completion only).

A window is scheduled, may be rescheduled, starts at its start instant and is completed by
command; or it is cancelled before it starts. Each command checks (`rules`), then records one
event, with its actor; a refusal is a `MaintenanceRefused` (the request breaks a rule) or a
`MaintenanceConflict` (it does not fit the window's state), each with a reason code.

Rules (where the contract is silent, the choice is said):
- Planned work needs `lead_time` notice (24 h by default); emergency work may start at once.
- Rescheduling to an earlier start needs the lead time again; postponing never does (the
  customers were told of an earlier start). `emergency` may be turned on, never off.
- Only a window that has not started can be rescheduled or cancelled; completing one whose
  start has passed but not been recorded yet records its start first.
- One reminder per start instant: `due()` arms it `reminder` before the start while it is
  still ahead of the last notice given, so a rescheduled window is reminded again and one
  scheduled at short notice gets no reminder. A change is never reminded.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from eventsourcing.domain import Aggregate, event

from hotline_notifier.maintenance import rules
from hotline_notifier.maintenance.rules import REASON_MAX, MaintenanceConflict, MaintenanceRefused

SCHEDULED, STARTED, COMPLETED, CANCELLED = "scheduled", "started", "completed", "cancelled"
REMINDER, START = "reminder", "start"
MAINTENANCE, CHANGE = "maintenance", "change"


class MaintenanceWindow(Aggregate):
    @classmethod
    def schedule(cls, *, starts_at: datetime, ends_at: datetime | None, services: list[str],
                 customers: list[str], all_customers: bool, reason: str, emergency: bool,
                 now: datetime, lead_time: timedelta, actor: dict[str, str] | None = None,
                 kind: str = MAINTENANCE) -> MaintenanceWindow:
        rules.check_kind(kind)
        ends_at = rules.end_of(kind, starts_at, ends_at)
        rules.check_times(starts_at, ends_at, now, kind)
        rules.check_notice(starts_at, now, lead_time, emergency, kind)
        rules.check_services(services)
        if not customers and not all_customers:
            raise MaintenanceRefused("no_customers", "name the affected customers, or all")
        reason = rules.one_line(reason, REASON_MAX, "reason")
        return cls(starts_at=starts_at, ends_at=ends_at, services=sorted(set(services)),
                   customers=customers, all_customers=all_customers, reason=reason,
                   emergency=emergency, scheduled_at=now, actor=actor, kind=kind)

    @event("Scheduled")
    def __init__(self, starts_at: datetime, ends_at: datetime, services: list[str],
                 customers: list[str], all_customers: bool, reason: str, emergency: bool,
                 scheduled_at: datetime, actor: dict[str, str] | None = None,
                 kind: str = MAINTENANCE) -> None:
        self.kind = kind
        self.starts_at, self.ends_at = starts_at, ends_at
        self.services, self.customers, self.all_customers = services, customers, all_customers
        self.reason, self.emergency = reason, emergency
        self.status = SCHEDULED
        self.scheduled_at = self.noticed_at = scheduled_at  # when customers were last told
        self.reminded_for: datetime | None = None  # the start instant the reminder was for
        self.reminded_at = self.started_at = self.completed_at = self.cancelled_at = None

    # -- commands: check, then record ----------------------------------------------------------
    def reschedule(self, *, starts_at: datetime, ends_at: datetime | None, now: datetime,
                   lead_time: timedelta, emergency: bool = False, note: str | None = None,
                   actor: dict[str, str] | None = None) -> None:
        self._check_not_started(now, "reschedule it")
        ends_at = rules.end_of(self.kind, starts_at, ends_at)
        rules.check_times(starts_at, ends_at, now, self.kind)
        emergency = self.emergency or emergency
        if starts_at < self.starts_at:
            rules.check_notice(starts_at, now, lead_time, emergency, self.kind)
        if (starts_at, ends_at, emergency) == (self.starts_at, self.ends_at, self.emergency):
            raise MaintenanceRefused("unchanged", "the window already has these times")
        self._rescheduled(previous_starts_at=self.starts_at, previous_ends_at=self.ends_at,
                          rescheduled_at=now, note=rules.note(note), actor=actor,
                          **self._described(starts_at=starts_at, ends_at=ends_at,
                                            emergency=emergency))

    def cancel(self, *, now: datetime, note: str | None = None,
               actor: dict[str, str] | None = None) -> None:
        self._check_not_started(now, "cancel it; complete it when the work is done")
        self._cancelled(cancelled_at=now, note=rules.note(note), actor=actor, **self._described())

    def complete(self, *, now: datetime, note: str | None = None,
                 actor: dict[str, str] | None = None) -> None:
        if self.status == SCHEDULED and now >= self.starts_at:
            self.start(now)
        if self.status != STARTED:
            begins = (f"; it begins at {rules.at(self.starts_at)}"
                      if self.status == SCHEDULED else "")
            raise MaintenanceConflict(f"not_{STARTED}" if self.status == SCHEDULED else self.status,
                                      f"the window is {self.status}{begins}; only started work "
                                      "can be completed")
        self._completed(completed_at=now, note=rules.note(note), actor=actor, **self._described())

    def start(self, now: datetime) -> None:
        self._started(started_at=self.starts_at, recorded_at=now, **self._described())

    def remind(self, now: datetime) -> None:
        self._reminded(reminded_at=now, starts_at=self.starts_at)

    # -- time --------------------------------------------------------------------------------------
    def due(self, reminder: timedelta) -> list[tuple[str, datetime]]:
        """What falls due when: the start, and the reminder while it is owed."""
        if self.status != SCHEDULED:
            return []
        if self.kind == CHANGE:  # a change is announced and completed, never reminded
            return [(START, self.starts_at)]
        remind_at = self.starts_at - reminder
        owed = reminder > timedelta(0) and self.reminded_for != self.starts_at
        if owed and remind_at > self.noticed_at:
            return [(REMINDER, remind_at), (START, self.starts_at)]
        return [(START, self.starts_at)]

    def fire_due(self, now: datetime, reminder: timedelta) -> str | None:
        """Record what is due at `now`: the start, else a reminder not yet sent. Returns which."""
        due = [what for what, at in self.due(reminder) if at <= now]
        if START in due:
            self.start(now)
            return START
        if REMINDER in due:
            self.remind(now)
            return REMINDER
        return None

    # -- guards and events -------------------------------------------------------------------------
    def _check_not_started(self, now: datetime, doing: str) -> None:
        if self.status != SCHEDULED:
            raise MaintenanceConflict(self.status, f"the window is {self.status}; cannot {doing}")
        if now >= self.starts_at:
            raise MaintenanceConflict(STARTED, f"the window began at {rules.at(self.starts_at)}; "
                                      f"cannot {doing}")

    def _described(self, **changes: Any) -> dict[str, Any]:
        # Every event repeats the window as it stands after it, so each one reads on its own.
        return {"starts_at": self.starts_at, "ends_at": self.ends_at, "services": self.services,
                "customers": self.customers, "all_customers": self.all_customers,
                "reason": self.reason, "emergency": self.emergency, "kind": self.kind, **changes}

    @event("Rescheduled")
    def _rescheduled(self, *, starts_at: datetime, ends_at: datetime, services: list[str],
                     customers: list[str], all_customers: bool, reason: str, emergency: bool,
                     previous_starts_at: datetime, previous_ends_at: datetime,
                     rescheduled_at: datetime, note: str | None,
                     actor: dict[str, str] | None, kind: str = MAINTENANCE) -> None:
        self.starts_at, self.ends_at, self.emergency = starts_at, ends_at, emergency
        self.noticed_at = rescheduled_at

    @event("Cancelled")
    def _cancelled(self, *, starts_at: datetime, ends_at: datetime, services: list[str],
                   customers: list[str], all_customers: bool, reason: str, emergency: bool,
                   cancelled_at: datetime, note: str | None, actor: dict[str, str] | None,
                   kind: str = MAINTENANCE) -> None:
        self.status, self.cancelled_at = CANCELLED, cancelled_at

    @event("Started")
    def _started(self, *, starts_at: datetime, ends_at: datetime, services: list[str],
                 customers: list[str], all_customers: bool, reason: str, emergency: bool,
                 started_at: datetime, recorded_at: datetime, kind: str = MAINTENANCE) -> None:
        self.status, self.started_at = STARTED, started_at

    @event("Completed")
    def _completed(self, *, starts_at: datetime, ends_at: datetime, services: list[str],
                   customers: list[str], all_customers: bool, reason: str, emergency: bool,
                   completed_at: datetime, note: str | None, actor: dict[str, str] | None,
                   kind: str = MAINTENANCE) -> None:
        self.status, self.completed_at = COMPLETED, completed_at

    @event("Reminded")
    def _reminded(self, *, reminded_at: datetime, starts_at: datetime) -> None:
        self.reminded_at, self.reminded_for = reminded_at, starts_at

