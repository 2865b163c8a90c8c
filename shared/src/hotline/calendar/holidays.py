"""Holiday rules of the support calendar: the contract's ten holidays as data, for any year.

A `HolidayRule` is an anchor (a fixed date, the n-th weekday of a month, or Easter Sunday)
plus a day offset, so "Good Friday" is Easter − 2 days and "Day before Thanksgiving" is the
4th Thursday of November − 1 day (which is *not* always the 4th Wednesday: in 2029 November
starts on a Thursday, the 4th Wednesday is the 28th and the day before Thanksgiving the 21st).

Observance is a calendar setting: `none` (the contract's words; a holiday on a weekend stays
there) or `us-federal` (Saturday → the Friday before, Sunday → the Monday after, moving further
if that day is already a holiday).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, NamedTuple

from dateutil.easter import easter

Observance = Literal["none", "us-federal"]
OBSERVANCES: tuple[str, ...] = ("none", "us-federal")


class Holiday(NamedTuple):
    """One holiday of one year: `(date, name)`."""

    date: dt.date
    name: str


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """How to find a holiday in any year.

    `anchor` is `"fixed"` (month/day), `"nth-weekday"` (the `nth` `weekday` of `month`,
    Monday = 0, `nth = -1` for the last one) or `"easter"` (Western Easter Sunday);
    `offset_days` is added to the anchor date.
    """

    key: str
    name: str
    anchor: Literal["fixed", "nth-weekday", "easter"]
    month: int = 0
    day: int = 0
    weekday: int = 0
    nth: int = 0
    offset_days: int = 0

    def date_in(self, year: int) -> dt.date:
        if self.anchor == "fixed":
            base = dt.date(year, self.month, self.day)
        elif self.anchor == "easter":
            base = easter(year)
        else:
            base = _nth_weekday(year, self.month, self.weekday, self.nth)
        return base + dt.timedelta(days=self.offset_days)

    def canonical(self) -> str:
        """A stable text form; part of the calendar's version hash."""
        return (
            f"{self.key}:{self.anchor}:{self.month}:{self.day}:{self.weekday}:{self.nth}:"
            f"{self.offset_days}"
        )


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last = following - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7 + 7 * (-nth - 1))


MON, THU = 0, 3

# The contract's holidays ("Standard Support Hours"), in the contract's order.
CONTRACT_HOLIDAYS: tuple[HolidayRule, ...] = (
    HolidayRule("new-years-day", "New Year's Day", "fixed", month=1, day=1),
    HolidayRule("presidents-day", "Presidents Day", "nth-weekday", month=2, weekday=MON, nth=3),
    HolidayRule("good-friday", "Good Friday", "easter", offset_days=-2),
    HolidayRule("memorial-day", "Memorial Day", "nth-weekday", month=5, weekday=MON, nth=-1),
    HolidayRule("independence-day", "Independence Day", "fixed", month=7, day=4),
    HolidayRule("labor-day", "Labor Day", "nth-weekday", month=9, weekday=MON, nth=1),
    HolidayRule(
        "day-before-thanksgiving",
        "Day before Thanksgiving",
        "nth-weekday",
        month=11,
        weekday=THU,
        nth=4,
        offset_days=-1,
    ),
    HolidayRule("thanksgiving-day", "Thanksgiving Day", "nth-weekday", month=11, weekday=THU, nth=4),
    HolidayRule("christmas-eve", "Christmas Eve", "fixed", month=12, day=24),
    HolidayRule("christmas-day", "Christmas Day", "fixed", month=12, day=25),
)
HOLIDAYS_BY_KEY: dict[str, HolidayRule] = {rule.key: rule for rule in CONTRACT_HOLIDAYS}


def holidays_in(
    year: int, rules: tuple[HolidayRule, ...], observance: Observance = "none"
) -> list[Holiday]:
    """The holidays falling in `year`, sorted by date (observed dates under `us-federal`,
    which can pull next year's New Year's Day into December 31)."""
    if observance == "none":
        return sorted(Holiday(rule.date_in(year), rule.name) for rule in rules)
    observed = [h for y in (year - 1, year, year + 1) for h in _observed(y, rules)]
    return sorted(h for h in observed if h.date.year == year)


def _observed(year: int, rules: tuple[HolidayRule, ...]) -> list[Holiday]:
    actual = sorted((rule.date_in(year), rule.name) for rule in rules)
    taken = {d for d, _ in actual if d.weekday() < 5}
    result = [Holiday(d, name) for d, name in actual if d.weekday() < 5]
    # Saturdays move back, Sundays forward; process so the nearer-to-anchor holiday wins.
    for date, name in actual:
        if date.weekday() < 5:
            continue
        step = -1 if date.weekday() == 5 else 1
        moved = date + dt.timedelta(days=step)
        while moved.weekday() >= 5 or moved in taken:
            moved += dt.timedelta(days=step)
        taken.add(moved)
        result.append(Holiday(moved, f"{name} (observed)"))
    return result
