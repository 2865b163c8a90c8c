"""Hand-checked support-calendar cases: DST both ways, every holiday, Thanksgiving weeks,
18:00 boundaries, off-hours starts and year ends."""

from __future__ import annotations

import datetime as dt

import pytest

from calendar_oracles import LA, UTC, expected_holidays
from hotline.calendar import SupportCalendar

CAL = SupportCalendar()
H = dt.timedelta(hours=1)


def la(text: str) -> dt.datetime:
    """`2026-03-06 17:00` local Los Angeles time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LA)


ADD_CASES = [
    # (start, support hours, due) — all local LA time
    ("2026-11-25 16:00", 8, "2026-11-27 16:00"),  # the issue: 25th is the day before Thanksgiving
    ("2026-03-06 17:00", 8, "2026-03-09 15:00"),  # spring forward weekend (PST → PDT)
    ("2026-10-30 17:00", 8, "2026-11-02 15:00"),  # fall back weekend (PDT → PST)
    ("2026-03-06 17:00", 50, "2026-03-13 17:00"),  # P2 resolution across DST
    ("2026-03-09 10:00", 8, "2026-03-09 18:00"),  # lands exactly on closing: 18:00 that day
    ("2026-03-09 08:00", 10, "2026-03-09 18:00"),  # a whole support day
    ("2026-03-09 08:00", 20, "2026-03-10 18:00"),  # "2d" = 20 support hours
    ("2026-03-09 18:00", 1, "2026-03-10 09:00"),  # start at closing = off hours
    ("2026-03-07 11:00", 1, "2026-03-09 09:00"),  # Saturday start counts from Monday 08:00
    ("2026-03-09 07:59", 1, "2026-03-09 09:00"),  # before opening
    ("2026-12-23 17:00", 2, "2026-12-28 09:00"),  # Christmas Eve Thu, Christmas Fri
    ("2026-12-23 17:00", 11, "2026-12-28 18:00"),
    ("2026-12-31 17:00", 2, "2027-01-04 09:00"),  # year end: New Year's Day Friday
    ("2027-12-31 17:00", 2, "2028-01-03 09:00"),  # 2027-12-31 is a Friday, 2028-01-01 Saturday
    ("2029-11-20 17:00", 2, "2029-11-23 09:00"),  # 2029: day before Thanksgiving is Wed 21st
    ("2029-11-27 17:00", 2, "2029-11-28 09:00"),  # ... and the 4th Wednesday (28th) is open
    ("2026-04-02 17:00", 2, "2026-04-06 09:00"),  # Good Friday 2026-04-03
    ("2026-02-13 17:00", 2, "2026-02-17 09:00"),  # Presidents Day 2026-02-16
    ("2026-05-22 17:00", 2, "2026-05-26 09:00"),  # Memorial Day 2026-05-25
    ("2026-07-03 17:00", 2, "2026-07-06 09:00"),  # Independence Day on Saturday: not moved
    ("2026-09-04 17:00", 2, "2026-09-08 09:00"),  # Labor Day 2026-09-07
    ("2026-03-06 17:00", 150, "2026-03-27 17:00"),  # P3 resolution: 15 support days
]


@pytest.mark.parametrize(("start", "hours", "due"), ADD_CASES)
def test_add_hand_checked(start: str, hours: int, due: str) -> None:
    result = CAL.add(la(start), hours * H)
    assert result == la(due)
    assert result.tzinfo is UTC
    assert CAL.elapsed(la(start), result) == hours * H


def test_issue_example_add() -> None:
    due = CAL.add(dt.datetime.fromisoformat("2026-11-25T16:00:00-08:00"), 8 * H)
    assert due.astimezone(LA).isoformat() == "2026-11-27T16:00:00-08:00"


@pytest.mark.parametrize(
    ("instant", "open_"),
    [
        ("2026-03-09 08:00", True),
        ("2026-03-09 07:59:59.999999", False),
        ("2026-03-09 17:59:59.999999", True),
        ("2026-03-09 18:00", False),
        ("2026-03-07 12:00", False),
        ("2029-11-21 12:00", False),
        ("2029-11-28 12:00", True),
        ("2026-12-24 12:00", False),
    ],
)
def test_is_open(instant: str, open_: bool) -> None:
    assert CAL.is_open(la(instant)) is open_


def test_next_open() -> None:
    assert CAL.next_open(la("2026-03-09 10:00")) == la("2026-03-09 10:00")
    assert CAL.next_open(la("2026-03-09 18:00")) == la("2026-03-10 08:00")
    assert CAL.next_open(la("2026-12-24 09:00")) == la("2026-12-28 08:00")
    assert CAL.next_open(la("2031-12-31 19:00")) == la("2032-01-02 08:00")  # year boundary


def test_add_zero_returns_the_same_instant_even_off_hours() -> None:
    saturday = la("2026-03-07 11:00")
    assert CAL.add(saturday, dt.timedelta(0)) == saturday
    assert CAL.add(saturday, dt.timedelta(0)).tzinfo is UTC


def test_add_rejects_negative_and_naive() -> None:
    with pytest.raises(ValueError):
        CAL.add(la("2026-03-09 10:00"), -H)
    with pytest.raises(ValueError):
        CAL.add(dt.datetime(2026, 3, 9, 10), H)
    with pytest.raises(ValueError):
        CAL.is_open(dt.datetime(2026, 3, 9, 10))


def test_elapsed_cases() -> None:
    assert CAL.elapsed(la("2026-03-06 17:00"), la("2026-03-09 15:00")) == 8 * H
    assert CAL.elapsed(la("2026-03-07 00:00"), la("2026-03-08 23:00")) == dt.timedelta(0)
    assert CAL.elapsed(la("2026-03-09 15:00"), la("2026-03-06 17:00")) == -8 * H
    assert CAL.elapsed(la("2026-01-01 00:00"), la("2027-01-01 00:00")) == 2520 * H  # 252 business days in 2026


def test_microseconds_are_kept() -> None:
    start = la("2026-03-09 10:00:00.123457")
    due = CAL.add(start, dt.timedelta(hours=1, microseconds=7))
    assert due == la("2026-03-09 11:00:00.123464")
    assert CAL.add(
        la("2026-03-09 10:00:00.000001"), dt.timedelta(hours=7, minutes=59, seconds=59, microseconds=999999)
    ) == la("2026-03-09 18:00")


def test_far_years_and_long_budgets() -> None:
    start = la("2099-06-01 09:00")
    due = CAL.add(start, 2000 * H)
    assert CAL.elapsed(start, due) == 2000 * H
    assert CAL.add(la("1999-12-31 17:00"), 2 * H) == la("2000-01-03 09:00")


@pytest.mark.parametrize("year", [2020, 2024, 2026, 2029, 2033, 2038, 2040])
def test_every_holiday_matches_independent_rules(year: int) -> None:
    assert dict(CAL.holidays(year)) == expected_holidays(year)
    for day in expected_holidays(year):
        noon = dt.datetime.combine(day, dt.time(12), tzinfo=LA)
        assert not CAL.is_open(noon)


def test_day_before_thanksgiving_is_not_always_the_fourth_wednesday() -> None:
    names = {d: n for d, n in CAL.holidays(2029)}
    assert names[dt.date(2029, 11, 21)] == "Day before Thanksgiving"
    assert dt.date(2029, 11, 28) not in names


def test_holidays_in_2029_as_issue_shows() -> None:
    assert (dt.date(2029, 11, 21), "Day before Thanksgiving") in CAL.holidays(2029)
