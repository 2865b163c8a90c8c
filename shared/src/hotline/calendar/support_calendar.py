"""`SupportCalendar`: exact support-time arithmetic over Standard Support Hours.

Pure and I/O-free. Instants in are aware datetimes (any zone; naive ones are refused),
instants out are aware UTC datetimes; the arithmetic runs on UTC datetimes and timedeltas
(exact to the microsecond) over precomputed business intervals (`hotline.calendar.intervals`)
with bucketed binary search, so a call costs about a microsecond whatever the duration.

Conventions (the contract's, and tested):
- Standard Support Hours are half-open: open at 08:00:00, closed at 18:00:00.
- `add(start, d)` for `d > 0` is the earliest instant `t >= start` with `elapsed(start, t) == d`,
  so a deadline landing exactly on closing time is that day's 18:00, not the next 08:00; an
  off-hours `start` counts from the next opening.
- `add(start, timedelta(0))` returns `start` itself (in UTC), even off hours: adding nothing
  moves nothing. SLA clocks move an off-hours start to `next_open` explicitly.
- `elapsed(start, end)` is the support time in `[start, end)`; negative when `end < start`.
"""

from __future__ import annotations

import datetime as dt
import threading
from bisect import bisect_left, bisect_right

from hotline.calendar.holidays import Holiday, holidays_in
from hotline.calendar.intervals import ZERO, BusinessIntervals
from hotline.calendar.rules import CalendarRules
from hotline.calendar.settings import CalendarSettings

UTC = dt.UTC


class SupportCalendar:
    """Standard Support Hours with holidays; see the module docstring for conventions."""

    __slots__ = ("rules", "_span", "_lock")

    def __init__(self, rules: CalendarRules | None = None) -> None:
        self.rules = rules if rules is not None else CalendarRules()
        self._span: BusinessIntervals | None = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: CalendarSettings | None = None) -> SupportCalendar:
        """The calendar described by `HOTLINE_CALENDAR_*` (or the given settings)."""
        return cls((settings if settings is not None else CalendarSettings()).to_rules())

    @property
    def version(self) -> str:
        """Deterministic id of the rules, e.g. `standard-support-hours-3f9a0c1e`."""
        return self.rules.version

    @property
    def zone(self) -> dt.tzinfo:
        """The zone of Standard Support Hours (where instants are displayed)."""
        return self.rules.tz

    @property
    def support_day(self) -> dt.timedelta:
        """One support day (`closing − opening`): 10 support hours by default."""
        return self.rules.support_day

    def __repr__(self) -> str:
        return f"SupportCalendar({self.version!r})"

    def holidays(self, year: int) -> list[Holiday]:
        """The holidays of `year` as `(date, name)` tuples, sorted by date."""
        return holidays_in(year, self.rules.holidays, self.rules.holiday_observance)

    def is_open(self, t: dt.datetime) -> bool:
        """True inside Standard Support Hours (08:00 is open, 18:00 is closed)."""
        t = _utc(t)
        span = self._covering(t)
        i = _index(span, t)
        return i >= 0 and t < span.ends[i]

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """`t` itself (in UTC) when open, otherwise the next opening."""
        t = _utc(t)
        span = self._covering(t)
        i = _index(span, t)
        if i >= 0 and t < span.ends[i]:
            return t
        while i + 1 >= len(span.starts):
            span = self._extended(span)
        return span.starts[i + 1]

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant `duration` of support time after `start` (UTC)."""
        if not duration > ZERO:
            if duration == ZERO:
                return start.astimezone(UTC)
            raise ValueError(f"support time to add must not be negative: {duration}")
        # The hot path, inlined for speed (Python calls cost as much as the arithmetic):
        # UTC instants, the usual case, need no conversion at all.
        if start.tzinfo is not UTC:
            start = _utc(start)
        span = self._span
        if span is None or not span.lo <= start < span.hi:
            span = self._covering(start)
        day = (start - span.lo).days  # `_index`, inlined
        i = bisect_right(span.starts, start, span.day_slices[day], span.day_slices[day + 1]) - 1
        if i < 0:
            target = duration
        elif start < span.ends[i]:
            target = span.cum_start[i] + (start - span.starts[i]) + duration
        else:
            target = span.cum_end[i] + duration
        while not span.cum_end or target > span.cum_end[-1]:
            span = self._extended(span)
        # The first interval whose running total reaches the target (never before the start's).
        cum_end, slices, day = span.cum_end, span.total_slices, target.days
        j = bisect_left(cum_end, target, slices[day], slices[day + 1])
        return span.ends[j] - (cum_end[j] - target)

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Support time between `start` and `end` (negative when `end` is before `start`)."""
        a, b = _utc(start), _utc(end)
        if b < a:
            return -self.elapsed(end, start)
        span = self._covering(a)
        if not span.lo <= b < span.hi:
            span = self._covering(b)  # same origin: extending forward keeps running totals
            if not span.lo <= a:
                span = self._covering(a)
        return _position(span, b) - _position(span, a)

    # -- internals -------------------------------------------------------------------------

    def _covering(self, t: dt.datetime) -> BusinessIntervals:
        span = self._span
        if span is not None and span.lo <= t < span.hi:
            return span
        year = t.astimezone(self.rules.tz).year
        with self._lock:
            span = self._span
            if span is None:
                span = BusinessIntervals.build(self.rules, year, year + 1)
            else:
                span = span.extended_to(year)
            self._span = span
        return span

    def _extended(self, span: BusinessIntervals) -> BusinessIntervals:
        """`span` plus one more year forward, keeping `span`'s origin."""
        longer = span.extended_to(span.last_year + 1)
        with self._lock:
            current = self._span
            if current is None or (
                current.first_year == span.first_year and current.last_year < longer.last_year
            ):
                self._span = longer
        return longer


def _index(span: BusinessIntervals, t: dt.datetime) -> int:
    """The last interval of `span` opening at or before `t` (−1 if none); `lo <= t < hi`."""
    day = (t - span.lo).days  # only that day's openings can be the answer
    return bisect_right(span.starts, t, span.day_slices[day], span.day_slices[day + 1]) - 1


def _position(span: BusinessIntervals, t: dt.datetime) -> dt.timedelta:
    """Support time from the span's origin up to `t`."""
    i = _index(span, t)
    if i < 0:
        return ZERO
    if t < span.ends[i]:
        return span.cum_start[i] + (t - span.starts[i])
    return span.cum_end[i]


def _utc(t: dt.datetime) -> dt.datetime:
    """`t` in UTC, with the calendar's one UTC `tzinfo` (so comparisons stay in C)."""
    tz = t.tzinfo
    if tz is UTC:
        return t  # already there: the usual case
    if tz is None or t.utcoffset() is None:
        raise ValueError(f"instants must be timezone-aware: {t!r}")
    return t.astimezone(UTC)
