"""Calendar settings, versions and holiday observance."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from calendar_oracles import LA
from hotline.calendar import CalendarRules, CalendarSettings, SupportCalendar, default_calendar
from hotline.calendar.durations import format_duration, parse_duration


def test_defaults_are_the_contracts() -> None:
    calendar = SupportCalendar.from_settings(CalendarSettings())
    assert calendar.version == SupportCalendar().version == CalendarRules().version
    assert calendar.version.startswith("standard-support-hours-")
    assert calendar.support_day == dt.timedelta(hours=10)
    assert default_calendar().version == calendar.version


def test_version_is_deterministic_and_follows_the_rules() -> None:
    assert CalendarRules().version == CalendarRules().version
    assert CalendarRules(holiday_observance="us-federal").version != CalendarRules().version
    assert CalendarRules(closing=dt.time(17)).version != CalendarRules().version


def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_CALENDAR_HOLIDAY_OBSERVANCE", "us-federal")
    monkeypatch.setenv("HOTLINE_CALENDAR_CLOSING", "17:00")
    monkeypatch.setenv("HOTLINE_CALENDAR_HOLIDAYS", "new-years-day,christmas-day")
    calendar = SupportCalendar.from_settings()
    assert calendar.rules.holiday_observance == "us-federal"
    assert calendar.support_day == dt.timedelta(hours=9)
    assert [name for _, name in calendar.holidays(2026)] == ["New Year's Day", "Christmas Day"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HOTLINE_CALENDAR_HOLIDAY_OBSERVANCE", "observed"),
        ("HOTLINE_CALENDAR_BUSINESS_DAYS", "mon,funday"),
        ("HOTLINE_CALENDAR_HOLIDAYS", "festivus"),
    ],
)
def test_bad_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        CalendarSettings()


def test_closing_before_opening_is_refused() -> None:
    with pytest.raises(ValueError):
        CalendarRules(opening=dt.time(18), closing=dt.time(8))


def test_no_observance_keeps_weekend_holidays_where_they_are() -> None:
    holidays = dict(SupportCalendar().holidays(2026))
    assert holidays[dt.date(2026, 7, 4)] == "Independence Day"  # a Saturday
    assert dt.date(2026, 7, 3) not in holidays


def test_us_federal_observance_moves_weekend_holidays() -> None:
    calendar = SupportCalendar(CalendarRules(holiday_observance="us-federal"))
    h2026 = dict(calendar.holidays(2026))
    assert h2026[dt.date(2026, 7, 3)] == "Independence Day (observed)"
    # 2022: Christmas Eve Saturday → Friday 23rd; Christmas Sunday → Monday 26th.
    h2022 = dict(calendar.holidays(2022))
    assert h2022[dt.date(2022, 12, 23)] == "Christmas Eve (observed)"
    assert h2022[dt.date(2022, 12, 26)] == "Christmas Day (observed)"
    # 2023: Christmas Eve Sunday → Monday is Christmas, so Tuesday 26th.
    assert dict(calendar.holidays(2023))[dt.date(2023, 12, 26)] == "Christmas Eve (observed)"
    # New Year's Day 2022 (Saturday) is observed on Friday 2021-12-31.
    assert dict(calendar.holidays(2021))[dt.date(2021, 12, 31)] == "New Year's Day (observed)"
    assert not calendar.is_open(dt.datetime(2021, 12, 31, 12, tzinfo=LA))
    assert SupportCalendar().is_open(dt.datetime(2021, 12, 31, 12, tzinfo=LA))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8h", dt.timedelta(hours=8)),
        ("90m", dt.timedelta(minutes=90)),
        ("1h30m", dt.timedelta(hours=1, minutes=30)),
        ("2d", dt.timedelta(hours=20)),
        ("1d4h30m15s", dt.timedelta(hours=14, minutes=30, seconds=15)),
    ],
)
def test_parse_duration(text: str, expected: dt.timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "h", "8", "1.5h", "30m1h", "-8h", "8 hours"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_format_duration() -> None:
    assert format_duration(dt.timedelta(minutes=90)) == "1h30m"
    assert format_duration(dt.timedelta(hours=50)) == "50h"
    assert format_duration(dt.timedelta(0)) == "0s"
