"""The support calendar: Standard Support Hours, holidays and exact support-time arithmetic.

Pure and I/O-free. `SupportCalendar` answers `is_open`, `next_open`, `add`, `elapsed` and
`holidays`; its `version` names the rules it used. `default_calendar()` builds (once) the
calendar described by the `HOTLINE_CALENDAR_*` settings.
"""

from __future__ import annotations

from functools import lru_cache

from hotline.calendar.durations import SUPPORT_DAY, WALL_DAY, format_duration, parse_duration
from hotline.calendar.holidays import CONTRACT_HOLIDAYS, Holiday, HolidayRule
from hotline.calendar.rules import CalendarRules
from hotline.calendar.settings import CalendarSettings
from hotline.calendar.support_calendar import SupportCalendar


@lru_cache(maxsize=1)
def default_calendar() -> SupportCalendar:
    """The calendar of the current `HOTLINE_CALENDAR_*` settings (read once per process)."""
    return SupportCalendar.from_settings()


__all__ = [
    "CONTRACT_HOLIDAYS",
    "SUPPORT_DAY",
    "WALL_DAY",
    "CalendarRules",
    "CalendarSettings",
    "Holiday",
    "HolidayRule",
    "SupportCalendar",
    "default_calendar",
    "format_duration",
    "parse_duration",
]
