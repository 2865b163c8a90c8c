"""Budget arithmetic of one clock: where a budget runs out, given its start and pauses.

Support-basis budgets use the `SupportCalendar`; 24x7 budgets are added in UTC, so 4 h across
a DST change is 4 real hours. Pauses are merged, clipped to the start and sorted; a pause
without an end stops the arithmetic (the due instant is unknown while it lasts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from hotline.calendar import SupportCalendar
from hotline.sla.budgets import Basis

UTC = dt.timezone.utc
Pause = tuple[dt.datetime, dt.datetime | None]


class ClockMath:
    """`add`/`elapsed` on one basis."""

    def __init__(self, basis: Basis, calendar: SupportCalendar) -> None:
        self.basis = basis
        self.calendar = calendar

    def start(self, origin: dt.datetime) -> dt.datetime:
        """Support clocks start at the next opening; 24x7 clocks at once."""
        if self.basis is Basis.SUPPORT:
            return self.calendar.next_open(origin)
        return origin.astimezone(UTC)

    def add(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        if self.basis is Basis.SUPPORT:
            return self.calendar.add(start, amount)
        return start.astimezone(UTC) + amount

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        if self.basis is Basis.SUPPORT:
            return self.calendar.elapsed(start, end)
        return end - start

    def reach(
        self, start: dt.datetime, pauses: list[Pause], amount: dt.timedelta
    ) -> dt.datetime | None:
        """The instant `amount` of budget is used up, or None inside an open-ended pause.

        A clock runs in half-open intervals: one that pauses at the very instant its budget
        runs out has not reached that instant while running, so the mark moves to the end of
        the pause (as a stop at the due instant is met, not breached)."""
        cursor, remaining = start, amount
        for pause_start, pause_end in pauses:
            available = self.elapsed(cursor, pause_start)
            if available >= remaining:
                at = self.add(cursor, remaining)
                if at < pause_start:
                    return at
                remaining = dt.timedelta(0)  # used up exactly as the pause begins
            else:
                remaining -= available
            if pause_end is None:
                return None
            cursor = pause_end
        return self.add(cursor, remaining)

    def used(self, start: dt.datetime, pauses: list[Pause], until: dt.datetime) -> dt.timedelta:
        """Budget used in `[start, until)` outside the pauses."""
        total, cursor = dt.timedelta(0), start
        for pause_start, pause_end in pauses:
            if pause_start >= until:
                break
            total += self.elapsed(cursor, pause_start)
            if pause_end is None or pause_end >= until:
                return total
            cursor = pause_end
        return total + max(self.elapsed(cursor, until), dt.timedelta(0))


def normalise(pauses: Iterable[Pause], start: dt.datetime) -> list[Pause]:
    """Clip to `start`, sort and merge overlapping pauses (an open end swallows the rest)."""
    clipped: list[Pause] = []
    for pause_start, pause_end in sorted(pauses, key=lambda p: p[0]):
        if pause_end is not None and pause_end <= start:
            continue
        pause_start = max(pause_start, start)
        if clipped:
            last_start, last_end = clipped[-1]
            if last_end is None:
                break
            if pause_start <= last_end:
                end = None if pause_end is None else max(last_end, pause_end)
                clipped[-1] = (last_start, end)
                continue
        if pause_end is not None and pause_end <= pause_start:
            continue
        clipped.append((pause_start, pause_end))
    return clipped
