"""The speed-minded paths of the support calendar give the same answers as the plain ones:
- instants already in UTC skip conversion; any other zone gives the same results;
- the bucketed binary searches (`day_slices`, `total_slices`) agree with a binary search over
  every interval, at every opening and closing ±1 µs, for the contract's rules and odd ones.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from zoneinfo import ZoneInfo

import pytest

from calendar_oracles import LA, UTC
from hotline.calendar import CalendarRules, SupportCalendar
from hotline.calendar.support_calendar import _index

US = dt.timedelta(microseconds=1)
H = dt.timedelta(hours=1)

ODD_RULES = [
    CalendarRules(),
    # every day, nearly 24 h: openings 24 h apart, intervals longer than most buckets
    CalendarRules(zone="Australia/Lord_Howe", opening=dt.time(0, 0), closing=dt.time(23, 59, 59),
                  business_days=(0, 1, 2, 3, 4, 5, 6)),
    # short intervals, a zone that skipped 2011-12-30 and changed its UTC offset by a day
    CalendarRules(zone="Pacific/Apia", opening=dt.time(9, 15), closing=dt.time(9, 45),
                  business_days=(0, 1, 2, 3, 4, 5, 6)),
    # across a half-hour DST change, weekends only
    CalendarRules(zone="America/St_Johns", opening=dt.time(1, 0), closing=dt.time(4, 30),
                  business_days=(5, 6)),
]


def reference_add(calendar: SupportCalendar, start: dt.datetime, duration: dt.timedelta):
    """`add` with binary searches over every interval of the calendar's span."""
    span = calendar._covering(start.astimezone(UTC))
    t = start.astimezone(UTC)
    i = bisect_right(span.starts, t) - 1
    if i < 0:
        target = duration
    elif t < span.ends[i]:
        target = span.cum_start[i] + (t - span.starts[i]) + duration
    else:
        target = span.cum_end[i] + duration
    while target > span.cum_end[-1]:
        span = calendar._extended(span)
    j = bisect_left(span.cum_end, target)
    return span.ends[j] - (span.cum_end[j] - target)


@pytest.mark.parametrize("rules", ODD_RULES, ids=lambda r: r.zone)
def test_bucketed_search_matches_full_binary_search(rules: CalendarRules) -> None:
    calendar = SupportCalendar(rules)
    calendar.add(dt.datetime(2009, 1, 1, tzinfo=UTC), dt.timedelta(hours=1))
    span = calendar._covering(dt.datetime(2013, 6, 1, tzinfo=UTC))
    assert span.first_year <= 2009 and span.last_year >= 2013
    edges = [t + d for t in span.starts + span.ends for d in (-US, dt.timedelta(0), US)]
    edges += [span.lo, span.hi - US]
    for t in edges:
        if span.lo <= t < span.hi:
            assert _index(span, t) == bisect_right(span.starts, t) - 1, t
    budgets = [US, H, 10 * H - US, 10 * H, 10 * H + US, 150 * H]
    for t in edges[::7]:
        if span.lo <= t < span.hi:
            for budget in budgets:
                assert calendar.add(t, budget) == reference_add(calendar, t, budget), (t, budget)


@pytest.mark.parametrize("rules", ODD_RULES, ids=lambda r: r.zone)
def test_add_reaches_every_running_total(rules: CalendarRules) -> None:
    """From the span's first opening, adding exactly a running total lands on that closing."""
    calendar = SupportCalendar(rules)
    span = calendar._covering(dt.datetime(2020, 6, 1, tzinfo=UTC))
    first = span.starts[0]
    for j in range(0, len(span.ends) - 1, 3):
        total = span.cum_end[j]
        assert calendar.add(first, total) == span.ends[j]
        assert calendar.add(first, total - US) == span.ends[j] - US
        assert calendar.add(first, total + US) == span.starts[j + 1] + US


INSTANTS = [
    dt.datetime(2026, 3, 6, 17, 0, tzinfo=LA),
    dt.datetime(2026, 3, 8, 2, 30, tzinfo=LA),  # in the spring-forward gap
    dt.datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=LA),  # the repeated hour, second time
    dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=LA),
    dt.datetime(2031, 7, 4, 12, 0, 0, 1, tzinfo=LA),
]
ZONES = [UTC, ZoneInfo("UTC"), dt.timezone(dt.timedelta(hours=-5, minutes=-30)), LA,
         ZoneInfo("Asia/Tokyo")]


@pytest.mark.parametrize("instant", INSTANTS, ids=str)
def test_every_zone_gives_the_same_answers(instant: dt.datetime) -> None:
    calendar = SupportCalendar()
    views = [instant.astimezone(zone) for zone in ZONES]
    for budget in (US, 4 * H, 8 * H, 150 * H):
        dues = {calendar.add(view, budget) for view in views}
        assert len(dues) == 1
        assert all(due.tzinfo is UTC for due in dues)
    assert len({calendar.is_open(view) for view in views}) == 1
    opens = {calendar.next_open(view) for view in views}
    assert len(opens) == 1 and all(t.tzinfo is UTC for t in opens)
    later = instant + 37 * H
    assert len({calendar.elapsed(view, later.astimezone(zone))
                for view in views for zone in ZONES}) == 1


class _NoOffset(dt.tzinfo):
    def utcoffset(self, t: dt.datetime | None) -> None:
        return None


def test_a_zone_without_an_offset_is_refused() -> None:
    calendar = SupportCalendar()
    vague = dt.datetime(2026, 3, 9, 10, tzinfo=_NoOffset())
    with pytest.raises(ValueError):
        calendar.add(vague, H)
    with pytest.raises(ValueError):
        calendar.elapsed(vague, dt.datetime(2026, 3, 9, 12, tzinfo=UTC))
