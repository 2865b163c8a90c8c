"""Invoice months: `YYYY-MM` on the Pacific calendar (America/Los_Angeles)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def month_of(instant: datetime) -> str:
    """The Pacific month an instant falls in."""
    return instant.astimezone(PACIFIC).strftime("%Y-%m")


def next_month(month: str) -> str:
    year, number = map(int, month.split("-"))
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def month_start(month: str) -> datetime:
    """Midnight Pacific on the month's first day (aware)."""
    year, number = map(int, month.split("-"))
    return datetime(year, number, 1, tzinfo=PACIFIC)


def is_month(text: str) -> bool:
    return bool(MONTH.match(text))
