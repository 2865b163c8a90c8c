"""`SupportCalendar`: exact support-time arithmetic over Standard Support Hours.

Pure and I/O-free. Instants in are aware datetimes (any zone; naive ones are refused),
instants out are aware UTC datetimes; the arithmetic runs on integer microseconds over
precomputed business intervals (`hotline.calendar.intervals`) with binary search, so a call
costs a few microseconds whatever the duration.

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
from hotline.calendar.intervals import EPOCH, MICROSECOND, BusinessIntervals
from hotline.calendar.rules import CalendarRules
from hotline.calendar.settings import CalendarSettings

UTC = dt.timezone.utc
# Within ±2**32 s of the epoch (1833..2106) a float of seconds is within 0.24 µs of the exact
# instant and seconds × 1e6 adds at most 0.25 µs, so rounding recovers every microsecond;
# outside, the slower exact integer path is used.
_FAST_SECONDS = float(2**32)
_FAST_MICROS = 2**32 * 1_000_000
_fromtimestamp = dt.datetime.fromtimestamp


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
        us = _micros(t)
        span = self._covering(us)
        i = bisect_right(span.starts, us) - 1
        return i >= 0 and us < span.ends[i]

    def next_open(self, t: dt.datetime) -> dt.datetime:
        """`t` itself (in UTC) when open, otherwise the next opening."""
        us = _micros(t)
        span = self._covering(us)
        i = bisect_right(span.starts, us) - 1
        if i >= 0 and us < span.ends[i]:
            return _instant(us)
        while i + 1 >= len(span.starts):
            span = self._extended(span)
        return _instant(span.starts[i + 1])

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant `duration` of support time after `start` (UTC)."""
        amount = duration // MICROSECOND
        if amount <= 0:
            if amount == 0:
                return start.astimezone(UTC)
            raise ValueError(f"support time to add must not be negative: {duration}")
        if start.tzinfo is None:
            raise ValueError(f"instants must be timezone-aware: {start!r}")
        # The hot path: float seconds are exact to the microsecond in 1833..2106 (see above).
        seconds = start.timestamp()
        us = round(seconds * 1e6) if -_FAST_SECONDS < seconds < _FAST_SECONDS else _micros(start)
        span = self._span
        if span is None or not span.lo <= us < span.hi:
            span = self._covering(us)
        starts = span.starts
        i = bisect_right(starts, us) - 1
        if i < 0:
            i, target = 0, amount
        elif us < span.ends[i]:
            target = span.cum_start[i] + (us - starts[i]) + amount
        else:
            target = span.cum_end[i] + amount
        cum_end = span.cum_end
        while not cum_end or target > cum_end[-1]:
            span = self._extended(span)
            cum_end = span.cum_end
        j = bisect_left(cum_end, target, i)  # the deadline is never before the start
        return _instant(span.ends[j] - (cum_end[j] - target))

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Support time between `start` and `end` (negative when `end` is before `start`)."""
        a, b = _micros(start), _micros(end)
        if b < a:
            return -self.elapsed(end, start)
        span = self._covering(a)
        if not span.lo <= b < span.hi:
            span = self._covering(b)  # same origin: extending forward keeps running totals
            if not span.lo <= a:
                span = self._covering(a)
        return dt.timedelta(microseconds=_position(span, b) - _position(span, a))

    # -- internals -------------------------------------------------------------------------

    def _covering(self, us: int) -> BusinessIntervals:
        span = self._span
        if span is not None and span.lo <= us < span.hi:
            return span
        year = _instant(us).astimezone(self.rules.tz).year
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


def _position(span: BusinessIntervals, us: int) -> int:
    """Support microseconds from the span's origin up to `us`."""
    i = bisect_right(span.starts, us) - 1
    if i < 0:
        return 0
    if us < span.ends[i]:
        return span.cum_start[i] + (us - span.starts[i])
    return span.cum_end[i]


def _micros(t: dt.datetime) -> int:
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(f"instants must be timezone-aware: {t!r}")
    return (t - EPOCH) // MICROSECOND


def _instant(us: int) -> dt.datetime:
    if -_FAST_MICROS < us < _FAST_MICROS:
        return _fromtimestamp(us / 1e6, UTC)  # exact, see _FAST_SECONDS
    seconds, micros = divmod(us, 1_000_000)
    return EPOCH + dt.timedelta(0, seconds, micros)
