"""Precomputed business intervals: Standard Support Hours as UTC seconds with running totals.

A `BusinessIntervals` covers whole local years `first_year..last_year`. Interval `i` is
`[starts[i], ends[i])` in integer POSIX microseconds (exact, so a deadline landing on closing
time stays on closing time); `cum_start[i]`/`cum_end[i]` are the support microseconds
elapsed from the first interval's opening to that interval's opening/closing. The object is
immutable: extending forward keeps the origin (running totals unchanged), extending backward
builds a new origin. Each year's intervals are built once and cached per rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from hotline.calendar.holidays import holidays_in
from hotline.calendar.rules import CalendarRules

MIN_YEAR, MAX_YEAR = 1900, 9998


@lru_cache(maxsize=4096)
def year_intervals(rules: CalendarRules, year: int) -> tuple[tuple[int, int], ...]:
    """The `(opening, closing)` POSIX microseconds of every business day of a local `year`."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueError(f"the support calendar covers {MIN_YEAR}..{MAX_YEAR}, not {year}")
    closed = {h.date for h in holidays_in(year, rules.holidays, rules.holiday_observance)}
    days = set(rules.business_days)
    tz = rules.tz
    day = dt.date(year, 1, 1)
    one = dt.timedelta(days=1)
    result: list[tuple[int, int]] = []
    while day.year == year:
        if day.weekday() in days and day not in closed:
            opening = _micros(dt.datetime.combine(day, rules.opening, tzinfo=tz))
            closing = _micros(dt.datetime.combine(day, rules.closing, tzinfo=tz))
            if closing > opening:  # a zone change could, in theory, swallow a business day
                result.append((opening, closing))
        day += one
    return tuple(result)


@dataclass(frozen=True, slots=True)
class BusinessIntervals:
    rules: CalendarRules
    first_year: int
    last_year: int
    lo: int  # local midnight starting first_year, POSIX microseconds
    hi: int  # local midnight ending last_year
    starts: list[int]
    ends: list[int]
    cum_start: list[int]
    cum_end: list[int]

    @classmethod
    def build(cls, rules: CalendarRules, first_year: int, last_year: int) -> BusinessIntervals:
        span = cls(rules, first_year, first_year - 1, 0, 0, [], [], [], [])
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
        total = cum_end[-1] if cum_end else 0
        for year in range(self.last_year + 1, last_year + 1):
            for opening, closing in year_intervals(self.rules, year):
                starts.append(opening)
                ends.append(closing)
                cum_start.append(total)
                total += closing - opening
                cum_end.append(total)
        tz = self.rules.tz
        lo = _micros(dt.datetime(self.first_year, 1, 1, tzinfo=tz))
        hi = _micros(dt.datetime(last_year + 1, 1, 1, tzinfo=tz))
        return BusinessIntervals(
            self.rules, self.first_year, last_year, lo, hi, starts, ends, cum_start, cum_end
        )


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MICROSECOND = dt.timedelta(microseconds=1)


def _micros(instant: dt.datetime) -> int:
    return (instant - EPOCH) // MICROSECOND
