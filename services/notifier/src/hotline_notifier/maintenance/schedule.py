"""The maintenance schedule: the use cases on maintenance windows, each load → act → save.

Every save writes, in one transaction, the window's new events, the notices they owe
(`notices.owed`: `Notification`s the dispatcher delivers) and the window's rows in the
maintenance tables (`rows.rows_of`). `fire_due` does the same for what falls due on the
stack's clock (reminders, starts). A save that loses a race with another writer of the same
window (IntegrityError on its version) is done again from the window's new state.

`COMMANDS` lists the commands on an existing window by their API name: the HTTP routes and the
CLI are built from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from hotline.clock import Clock
from hotline.directory import Directory
from hotline_notifier.maintenance import notices
from hotline_notifier.maintenance.rows import MaintenanceRows, WindowView, rows_of
from hotline_notifier.maintenance.window import MAINTENANCE, REMINDER, MaintenanceWindow

log = logging.getLogger(__name__)

CONFLICT_RETRIES = 5
SCHEDULED = get_topic(MaintenanceWindow.Scheduled)
MIN_REFERENCE = 8  # hex digits of a window id that name it in the CLI and the API


@dataclass(frozen=True)
class NoticeRules:
    """How much notice planned work needs, and how long before the start the reminder goes."""

    lead_time: timedelta = timedelta(hours=24)
    reminder: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class WindowCommand:
    method: str  # the MaintenanceSchedule method that performs it
    summary: str  # what it does, for the HTTP API and the CLI


COMMANDS = {
    "reschedule": WindowCommand("reschedule", "Move a window that has not started to new times; "
                                "the affected contacts are told."),
    "cancel": WindowCommand("cancel", "Cancel a window that has not started; the affected "
                            "contacts are told and hear nothing more."),
    "complete": WindowCommand("complete", "Record that the work is complete; the affected "
                              "contacts are told."),
}


class UnknownWindow(LookupError):
    """No maintenance window, or more than one, answers to the reference."""


class MaintenanceSchedule:
    def __init__(self, app: Any, directory: Callable[[], Directory], clock: Clock,
                 rules: NoticeRules | None = None) -> None:
        self.app = app  # NotifierApplication: its recorder keeps the maintenance tables
        self.directory = directory
        self.clock = clock
        self.rules = rules or NoticeRules()

    # -- commands ------------------------------------------------------------------------------
    def schedule(self, *, starts_at: datetime, ends_at: datetime | None, services: list[str],
                 customers: list[str], reason: str, emergency: bool = False,
                 kind: str = MAINTENANCE, actor: dict[str, str] | None = None,
                 trace_context: dict[str, str] | None = None) -> WindowView:
        """Schedule maintenance, or announce a change (`kind`; its end defaults to its start)."""
        directory = self.directory()
        names, all_customers = notices.resolve_customers(customers, directory)
        window = MaintenanceWindow.schedule(
            starts_at=starts_at, ends_at=ends_at, services=services, customers=names,
            all_customers=all_customers, reason=reason, emergency=emergency,
            now=self.clock.now(), lead_time=self.rules.lead_time, actor=actor, kind=kind)
        return self._save(window, directory, trace_context or {}).view

    def reschedule(self, reference: str, *, starts_at: datetime, ends_at: datetime | None,
                   emergency: bool = False, note: str | None = None,
                   actor: dict[str, str] | None = None,
                   trace_context: dict[str, str] | None = None) -> WindowView:
        return self._change(reference, trace_context, lambda window, now: window.reschedule(
            starts_at=starts_at, ends_at=ends_at, emergency=emergency, now=now,
            lead_time=self.rules.lead_time, note=note, actor=actor))

    def cancel(self, reference: str, *, note: str | None = None,
               actor: dict[str, str] | None = None,
               trace_context: dict[str, str] | None = None) -> WindowView:
        return self._change(reference, trace_context,
                            lambda window, now: window.cancel(now=now, note=note, actor=actor))

    def complete(self, reference: str, *, note: str | None = None,
                 actor: dict[str, str] | None = None,
                 trace_context: dict[str, str] | None = None) -> WindowView:
        return self._change(reference, trace_context,
                            lambda window, now: window.complete(now=now, note=note, actor=actor))

    # -- time ------------------------------------------------------------------------------------
    def fire_due(self, limit: int = 100) -> int:
        """Record what is due now on each window that has something due; returns how many
        windows moved (a reminder sent, or the work started)."""
        fired = 0
        for window_id in self.app.recorder.maintenance_due(self.clock.now(), limit):
            try:
                window: MaintenanceWindow = self.app.repository.get(window_id)
                what = window.fire_due(self.clock.now(), self.rules.reminder)
                if what is not None:
                    self._save(window, self.directory(), {})
                    fired += 1
                    log.info("maintenance window %s", "reminder sent" if what == REMINDER
                             else "started", extra={"window": str(window_id)})
            except IntegrityError:
                log.info("maintenance window %s moved meanwhile; left to the next round", window_id)
        return fired

    # -- reading ---------------------------------------------------------------------------------
    def windows(self, status: str | None = None, limit: int = 100) -> list[WindowView]:
        return self.app.recorder.maintenance_windows(status, limit)

    def window(self, reference: str) -> WindowView:
        """The window a full id or its first `MIN_REFERENCE`+ hex digits name."""
        wanted = reference.strip().lower()
        if len(wanted) < MIN_REFERENCE or any(c not in "0123456789abcdef-" for c in wanted):
            raise UnknownWindow(f"{reference!r} is not a window id (or its first {MIN_REFERENCE} "
                                "or more characters)")
        found = self.app.recorder.maintenance_windows_by_prefix(wanted)
        if len(found) != 1:
            raise UnknownWindow(f"{'several windows begin' if found else 'no window is'} "
                                f"{reference!r}{'; give more of the id' if found else ''}")
        return found[0]

    def rebuild(self) -> int:
        """Rewrite the maintenance tables from the event log; returns how many windows."""
        ids: list[UUID] = []
        start = 1
        while page := self.app.recorder.select_notifications(start, 1000, topics=[SCHEDULED]):
            ids += [n.originator_id for n in page]  # every window was scheduled once
            start = page[-1].id + 1
        windows = [self.app.repository.get(i) for i in ids]
        self.app.recorder.replace_maintenance([rows_of(w, self.rules.reminder) for w in windows])
        return len(ids)

    # -- saving ----------------------------------------------------------------------------------
    def _change(self, reference: str, trace_context: dict[str, str] | None,
                act: Callable[[MaintenanceWindow, datetime], None]) -> WindowView:
        window_id = self.window(reference).id
        for attempt in range(CONFLICT_RETRIES):
            window: MaintenanceWindow = self.app.repository.get(window_id)
            act(window, self.clock.now())
            try:
                return self._save(window, self.directory(), trace_context or {}).view
            except IntegrityError:
                if attempt == CONFLICT_RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _save(self, window: MaintenanceWindow, directory: Directory,
              trace_context: dict[str, str]) -> MaintenanceRows:
        rows = rows_of(window, self.rules.reminder)
        owed = notices.owed(window, directory, trace_context, rows.view.reminder_due_at)
        self.app.save(window, *owed, maintenance=rows)
        return rows
