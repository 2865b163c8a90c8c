"""Independent oracles for the support calendar tests (not product code).

- `expected_holidays(year)`: the contract's holidays written with dateutil's relativedelta,
  independently of `hotline.calendar.holidays`.
- `minute_add` / `minute_elapsed`: brute force, stepping one minute at a time.
- `BusinessTimeDeltaOracle`: the `businesstimedelta` library on local wall time (pytz's tables
  stop at 2037, and 08:00–18:00 never spans a DST change, so wall time is exact), with its
  holiday lookup replaced by a binary search (its day-by-day scan costs ~1 ms per call).
"""

from __future__ import annotations

import bisect
import datetime as dt
from zoneinfo import ZoneInfo

import businesstimedelta
import pytz
from dateutil.easter import easter
from dateutil.relativedelta import MO, TH, relativedelta

LA = ZoneInfo("America/Los_Angeles")
UTC = dt.timezone.utc
MINUTE = dt.timedelta(minutes=1)


def expected_holidays(year: int) -> dict[dt.date, str]:
    nov1, feb1, sep1 = dt.date(year, 11, 1), dt.date(year, 2, 1), dt.date(year, 9, 1)
    thanksgiving = nov1 + relativedelta(weekday=TH(4))
    return {
        dt.date(year, 1, 1): "New Year's Day",
        feb1 + relativedelta(weekday=MO(3)): "Presidents Day",
        easter(year) - dt.timedelta(days=2): "Good Friday",
        dt.date(year, 5, 31) + relativedelta(weekday=MO(-1)): "Memorial Day",
        dt.date(year, 7, 4): "Independence Day",
        sep1 + relativedelta(weekday=MO(1)): "Labor Day",
        thanksgiving - dt.timedelta(days=1): "Day before Thanksgiving",
        thanksgiving: "Thanksgiving Day",
        dt.date(year, 12, 24): "Christmas Eve",
        dt.date(year, 12, 25): "Christmas Day",
    }


_HOLIDAY_CACHE: dict[int, set[dt.date]] = {}


def oracle_is_open(t: dt.datetime) -> bool:
    local = t.astimezone(LA)
    year = local.year
    if year not in _HOLIDAY_CACHE:
        _HOLIDAY_CACHE[year] = set(expected_holidays(year))
    return local.weekday() < 5 and local.date() not in _HOLIDAY_CACHE[year] and 8 <= local.hour < 18


def minute_add(start: dt.datetime, minutes: int) -> dt.datetime:
    """Step minute by minute (start on a whole minute)."""
    t = start.astimezone(UTC)
    while minutes > 0:
        if oracle_is_open(t):
            minutes -= 1
        t += MINUTE
    return t


def minute_elapsed(start: dt.datetime, end: dt.datetime) -> int:
    """Open minutes in [start, end) (both on whole minutes)."""
    t, count = start.astimezone(UTC), 0
    while t < end:
        count += oracle_is_open(t)
        t += MINUTE
    return count


class _BisectHolidayRule(businesstimedelta.HolidayRule):
    def __init__(self, holidays: list[dt.date]) -> None:
        super().__init__(holidays)
        self._sorted = sorted(holidays)

    def next_holiday(self, date, reverse=False, max_days=365 * 5):
        if reverse:
            i = bisect.bisect_right(self._sorted, date) - 1
            return self._sorted[i] if i >= 0 else None
        i = bisect.bisect_left(self._sorted, date)
        return self._sorted[i] if i < len(self._sorted) else None


class BusinessTimeDeltaOracle:
    """`add` via businesstimedelta, normalised to the contract's 18:00 convention."""

    def __init__(self, first_year: int = 2019, last_year: int = 2045) -> None:
        days = [d for y in range(first_year, last_year + 1) for d in expected_holidays(y)]
        self.rule = businesstimedelta.Rules(
            [
                businesstimedelta.WorkDayRule(
                    start_time=dt.time(8), end_time=dt.time(18), working_days=[0, 1, 2, 3, 4]
                ),
                _BisectHolidayRule(days),
            ]
        )

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        wall = start.astimezone(LA).replace(tzinfo=pytz.utc)  # wall time, dressed as UTC
        result = wall + businesstimedelta.BusinessTimeDelta(self.rule, timedelta=duration)
        local = result.replace(tzinfo=None)
        if local.time() == dt.time(8) and duration > dt.timedelta(0):
            local = self._previous_closing(local)  # "next 08:00" means the closing before
        return local.replace(tzinfo=LA).astimezone(UTC)

    def _previous_closing(self, opening: dt.datetime) -> dt.datetime:
        day = opening.date() - dt.timedelta(days=1)
        while day.weekday() >= 5 or day in expected_holidays(day.year):
            day -= dt.timedelta(days=1)
        return dt.datetime.combine(day, dt.time(18))
