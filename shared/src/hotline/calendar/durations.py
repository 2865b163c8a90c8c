"""Durations as people write them: `8h`, `90m`, `1h30m`, `2d`, `45s`, `1d4h30m`.

Units are `d`, `h`, `m`, `s` (integers, in that order, each at most once). What a day is
depends on the clock: in support time one day is one *support day* (the calendar's
`closing − opening`, 10 support hours by default, so `2d` = 20 support hours); in 24x7 time
one day is 24 hours. Callers pass the day length they mean.
"""

from __future__ import annotations

import datetime as dt
import re

SUPPORT_DAY = dt.timedelta(hours=10)
WALL_DAY = dt.timedelta(hours=24)

_PATTERN = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def parse_duration(text: str, day: dt.timedelta = SUPPORT_DAY) -> dt.timedelta:
    """Parse `text` (e.g. `1h30m`); `d` is worth `day`. Raises ValueError on bad input."""
    cleaned = text.strip().lower().replace(" ", "")
    match = _PATTERN.fullmatch(cleaned)
    if not cleaned or match is None or not any(match.groups()):
        raise ValueError(
            f"not a duration: {text!r} (use d/h/m/s, e.g. 8h, 90m, 1h30m, 2d)"
        )
    days, hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    return days * day + dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def format_duration(value: dt.timedelta) -> str:
    """`5400 s` → `1h30m`; hours are not folded into days (days are ambiguous)."""
    sign = "-" if value < dt.timedelta(0) else ""
    total = abs(value)
    hours, rest = divmod(total, dt.timedelta(hours=1))
    minutes, rest = divmod(rest, dt.timedelta(minutes=1))
    seconds = rest.total_seconds()
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else ""]
    if seconds:
        parts.append(f"{seconds:g}s")
    return sign + ("".join(parts) or "0s")
