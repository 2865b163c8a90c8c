"""The SLA board's rows: each open ticket's running clocks and how close each is to breach.

Pure. `entry_of` turns a ticket's `TicketClocks` into a `TicketEntry` once, when the ticket
changes (the policy evaluated over its recorded history): per running clock its due instant,
its warning instants and the due instant it already missed, if any. `board` then places every
entry at an instant `now` (the stack's clock, simulated or not), which is only arithmetic:

- a clock's level is `breached` once it missed a due instant (or `now` reached it), else
  `warning-90` / `warning-75` once `now` reached a warning mark of at least that threshold,
  else `ok`; a ticket's level is its worst clock's;
- tickets are sorted by time to breach: the earliest due instant of their running clocks
  (the missed one for a breached clock), so the most overdue come first and tickets whose
  clocks are all paused come last.

A ticket is on the board while it is not closed and at least one clock runs (started, not
stopped; paused counts, shown as paused).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from hotline.sla import SlaPolicy
from hotline.sla.result import ClockStatus
from hotline_sla_timer.domain.changes import sla_events
from hotline_sla_timer.domain.clocks import TicketClocks

LEVELS = ("ok", "warning-75", "warning-90", "breached")
"""From harmless to worst; the page colors them (amber, red-orange, red)."""


@dataclass(frozen=True)
class ClockEntry:
    clock: str
    paused: bool
    due_at: datetime | None  # None while paused
    warnings: tuple[tuple[float, datetime], ...] = ()  # (threshold %, instant)
    breached_at: datetime | None = None  # a due instant already missed (kept across changes)

    def level(self, now: datetime) -> str:
        if self.breached_at is not None or (self.due_at is not None and now >= self.due_at):
            return "breached"
        reached = max((t for t, at in self.warnings if at <= now), default=0.0)
        return "warning-90" if reached >= 90 else "warning-75" if reached >= 75 else "ok"

    @property
    def breach_at(self) -> datetime | None:
        """The instant that orders the board: the missed due instant, else the coming one."""
        return self.breached_at or self.due_at


@dataclass(frozen=True)
class TicketEntry:
    ticket_id: UUID
    number: str
    priority: int
    customer: str | None
    clocks: tuple[ClockEntry, ...]

    @property
    def breach_at(self) -> datetime | None:
        return min((c.breach_at for c in self.clocks if c.breach_at is not None), default=None)


def is_closed(clocks: TicketClocks) -> bool:
    last = next((c.kind for c in reversed(clocks.changes) if c.kind in ("closed", "reopened")),
                None)
    return last == "closed"


def entry_of(clocks: TicketClocks, policy: SlaPolicy, now: datetime) -> TicketEntry | None:
    """The ticket's board entry as of `now`, or None when it has no place on the board."""
    if is_closed(clocks):
        return None
    result = policy.evaluate(sla_events(clocks.changes),
                             now=max(now, clocks.changes[-1].at))
    running = tuple(
        ClockEntry(state.clock, state.status is ClockStatus.PAUSED, state.due_at,
                   tuple((float(w.threshold), w.at) for w in state.warnings), state.breached_at)
        for state in result.clocks
        if state.started_at is not None and state.stopped_at is None and state.budget is not None)
    if not running:
        return None
    return TicketEntry(clocks.id, clocks.ticket_number, int(clocks.priority), clocks.customer,
                       running)


def board(entries: Iterable[TicketEntry], now: datetime, *, flowing: bool) -> dict[str, Any]:
    """The board at `now`: `{now, flowing, rows}`, rows sorted by time to breach. `flowing`
    tells the page whether time moves on by itself (a simulated clock stands still between
    moves, so the page must not count down from its own clock)."""
    far = datetime.max.replace(tzinfo=timezone.utc)
    ordered = sorted(entries, key=lambda e: (e.breach_at or far, e.priority, e.number))
    return {"now": _iso(now), "flowing": flowing, "rows": [_row(e, now) for e in ordered]}


def _row(entry: TicketEntry, now: datetime) -> dict[str, Any]:
    far = datetime.max.replace(tzinfo=timezone.utc)
    clocks = [_clock(c, now) for c in sorted(entry.clocks, key=lambda c: c.breach_at or far)]
    breach_at = entry.breach_at
    return {
        "ticket": entry.number, "priority": entry.priority, "customer": entry.customer,
        "level": max((c["level"] for c in clocks), key=LEVELS.index),
        "breach_at": _iso(breach_at),
        "seconds_to_breach": None if breach_at is None else (breach_at - now).total_seconds(),
        "clocks": clocks,
    }


def _clock(clock: ClockEntry, now: datetime) -> dict[str, Any]:
    return {
        "clock": clock.clock, "paused": clock.paused, "level": clock.level(now),
        "due_at": _iso(clock.due_at), "breached_at": _iso(clock.breached_at),
        "seconds_to_breach": (None if clock.breach_at is None
                              else (clock.breach_at - now).total_seconds()),
        "marks": [{"threshold": t, "at": _iso(at)} for t, at in clock.warnings],
    }


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
