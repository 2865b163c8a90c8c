"""Precomputed business intervals: Standard Support Hours as UTC instants with running totals.

A `BusinessIntervals` covers whole local years `first_year..last_year`. Interval `i` is
`[starts[i], ends[i])`, aware datetimes in UTC (exact to the microsecond, so a deadline
landing on closing time stays on closing time); `cum_start[i]`/`cum_end[i]` are the support
time (timedeltas) elapsed from the first interval's opening to that interval's
opening/closing. The object is immutable: extending forward keeps the origin (running totals
unchanged), extending backward builds a new origin. Each year's intervals are built once and
cached per rules.

Why datetimes and timedeltas rather than integer microseconds (for speed): instants arrive
and leave as datetimes, and converting them to and from big integers cost more than all the
rest of `SupportCalendar.add`. All in UTC (one shared `tzinfo`), datetimes compare and
subtract as plain fixed-width fields in C, and timedelta sums are small C integers.

Two bucket tables keep the binary searches short (a search over every interval hops across
~13 scattered list entries; one inside a bucket over one to three):
- `day_slices[b]`: the index of the first interval opening at or after `lo + b` days, so
  the intervals opening on day `b` (counted from `lo`, in UTC) are `day_slices[b]` up to
  `day_slices[b + 1]`;
- `total_slices[k]`: the index of the first interval whose `cum_end` reaches `k` days of
  support time.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from hotline.calendar.holidays import holidays_in
from hotline.calendar.rules import CalendarRules

MIN_YEAR, MAX_YEAR = 1900, 9998
UTC = dt.UTC
ZERO = dt.timedelta(0)
DAY = dt.timedelta(days=1)


@lru_cache(maxsize=4096)
def year_intervals(rules: CalendarRules, year: int) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
    """The `(opening, closing)` UTC instants of every business day of a local `year`."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"the support calendar covers {MIN_YEAR}..{MAX_YEAR}, not {year}")
    closed = {h.date for h in holidays_in(year, rules.holidays, rules.holiday_observance)}
    days = set(rules.business_days)
    tz = rules.tz
    day = dt.date(year, 1, 1)
    one = dt.timedelta(days=1)
    result: list[tuple[dt.datetime, dt.datetime]] = []
    while day.year == year:
        if day.weekday() in days and day not in closed:
            opening = dt.datetime.combine(day, rules.opening, tzinfo=tz).astimezone(UTC)
            closing = dt.datetime.combine(day, rules.closing, tzinfo=tz).astimezone(UTC)
            if closing > opening:  # a zone change could, in theory, swallow a business day
                result.append((opening, closing))
        day += one
    return tuple(result)


@dataclass(frozen=True, slots=True)
class BusinessIntervals:
    rules: CalendarRules
    first_year: int
    last_year: int
    lo: dt.datetime  # local midnight starting first_year, in UTC
    hi: dt.datetime  # local midnight ending last_year, in UTC
    starts: list[dt.datetime]
    ends: list[dt.datetime]
    cum_start: list[dt.timedelta]
    cum_end: list[dt.timedelta]
    day_slices: list[int]  # see the module docstring
    total_slices: list[int]

    @classmethod
    def build(cls, rules: CalendarRules, first_year: int, last_year: int) -> BusinessIntervals:
        empty = dt.datetime(first_year, 1, 1, tzinfo=UTC)
        span = cls(rules, first_year, first_year - 1, empty, empty, [], [], [], [], [0], [0])
        return span._appended(last_year)

    def extended_to(self, year: int) -> BusinessIntervals:
        """A span that also covers `year` (same origin when extending forward)."""
        if year > self.last_year:
            return self._appended(year)
        if year < self.first_year:
            return BusinessIntervals.build(self.rules, year, self.last_year)
        return self

    def _appended(self, last_year: int) -> BusinessIntervals:
        starts, ends = list(self.starts), list(self.ends)
        cum_start, cum_end = list(self.cum_start), list(self.cum_end)
        total = cum_end[-1] if cum_end else ZERO
        for year in range(self.last_year + 1, last_year + 1):
            for opening, closing in year_intervals(self.rules, year):
                starts.append(opening)
                ends.append(closing)
                cum_start.append(total)
                total += closing - opening
                cum_end.append(total)
        tz = self.rules.tz
        lo = dt.datetime(self.first_year, 1, 1, tzinfo=tz).astimezone(UTC)
        hi = dt.datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
        return BusinessIntervals(
            self.rules, self.first_year, last_year, lo, hi, starts, ends, cum_start, cum_end,
            _slices(starts, lo, (hi - lo) // DAY + 1), _slices(cum_end, ZERO, total // DAY + 1),
        )


def _slices(values: list, origin: dt.datetime | dt.timedelta, buckets: int) -> list[int]:
    """For each day `k` in `0..buckets` (one extra, to close the last bucket), the index of
    the first of the sorted `values` at or after `origin + k` days."""
    return [bisect_left(values, origin + k * DAY) for k in range(buckets + 1)]
