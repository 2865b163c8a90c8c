"""Settings of the support calendar (pydantic-settings, prefix `HOTLINE_CALENDAR_`).

| variable                              | default                                   |
|---------------------------------------|-------------------------------------------|
| HOTLINE_CALENDAR_NAME                 | standard-support-hours (version id prefix)|
| HOTLINE_CALENDAR_ZONE                 | America/Los_Angeles                       |
| HOTLINE_CALENDAR_OPENING              | 08:00                                     |
| HOTLINE_CALENDAR_CLOSING              | 18:00                                     |
| HOTLINE_CALENDAR_BUSINESS_DAYS        | mon,tue,wed,thu,fri                       |
| HOTLINE_CALENDAR_HOLIDAYS             | all ten contract holidays, by key         |
| HOTLINE_CALENDAR_HOLIDAY_OBSERVANCE   | none (or us-federal)                      |

One support day is `closing − opening` (10 support hours by default).
"""

from __future__ import annotations

import datetime as dt

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline.calendar.holidays import CONTRACT_HOLIDAYS, HOLIDAYS_BY_KEY, Observance
from hotline.calendar.rules import WEEKDAY_NAMES, CalendarRules


class CalendarSettings(BaseSettings):
    """The support calendar's settings; `to_rules()` turns them into versioned data."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_CALENDAR_", extra="ignore")

    name: str = Field(
        default="standard-support-hours",
        description="Readable prefix of the calendar version id.",
    )
    zone: str = Field(
        default="America/Los_Angeles",
        description="IANA zone of Standard Support Hours ('Pacific Time').",
    )
    opening: dt.time = Field(default=dt.time(8, 0), description="Local opening time.")
    closing: dt.time = Field(default=dt.time(18, 0), description="Local closing time.")
    business_days: str = Field(
        default="mon,tue,wed,thu,fri",
        description="Comma-separated weekdays with Standard Support Hours.",
    )
    holidays: str = Field(
        default=",".join(rule.key for rule in CONTRACT_HOLIDAYS),
        description="Comma-separated holiday keys: " + ", ".join(HOLIDAYS_BY_KEY) + ".",
    )
    holiday_observance: Observance = Field(
        default="none",
        description="'none': a weekend holiday is not moved (the contract's words); "
        "'us-federal': Saturday → Friday before, Sunday → Monday after.",
    )

    @field_validator("business_days")
    @classmethod
    def _known_days(cls, value: str) -> str:
        for day in _split(value):
            if day not in WEEKDAY_NAMES:
                raise ValueError(f"unknown weekday {day!r}; use {', '.join(WEEKDAY_NAMES)}")
        return value

    @field_validator("holidays")
    @classmethod
    def _known_holidays(cls, value: str) -> str:
        for key in _split(value):
            if key not in HOLIDAYS_BY_KEY:
                raise ValueError(f"unknown holiday {key!r}; use {', '.join(HOLIDAYS_BY_KEY)}")
        return value

    def to_rules(self) -> CalendarRules:
        return CalendarRules(
            name=self.name,
            zone=self.zone,
            opening=self.opening,
            closing=self.closing,
            business_days=tuple(sorted({WEEKDAY_NAMES.index(d) for d in _split(self.business_days)})),
            holidays=tuple(HOLIDAYS_BY_KEY[key] for key in _split(self.holidays)),
            holiday_observance=self.holiday_observance,
        )


def _split(value: str) -> list[str]:
    return [part.strip().lower() for part in value.split(",") if part.strip()]
