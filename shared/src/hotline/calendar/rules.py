"""The support calendar as data: hours, zone, business days, holiday rules and observance.

`CalendarRules` is immutable and carries a deterministic version id, a readable name plus a
short hash of everything that changes the arithmetic (e.g. `standard-support-hours-3f9a0c1e`).
Every SLA computation records that id, so an old ticket replays against the calendar it used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any
from functools import cached_property
from zoneinfo import ZoneInfo

from hotline.calendar.holidays import CONTRACT_HOLIDAYS, OBSERVANCES, HolidayRule, Observance

WEEKDAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class CalendarRules:
    """Standard Support Hours: `opening`–`closing` local time in `zone` on `business_days`
    (Monday = 0), except the holidays. The contract's defaults are the field defaults."""

    name: str = "standard-support-hours"
    zone: str = "America/Los_Angeles"
    opening: dt.time = dt.time(8, 0)
    closing: dt.time = dt.time(18, 0)
    business_days: tuple[int, ...] = (0, 1, 2, 3, 4)
    holidays: tuple[HolidayRule, ...] = CONTRACT_HOLIDAYS
    holiday_observance: Observance = "none"
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", ZoneInfo(self.zone))
        if self.opening.tzinfo is not None or self.closing.tzinfo is not None:
            raise ValueError("opening and closing are local wall-clock times without a zone")
        if not self.opening < self.closing:
            raise ValueError(f"opening {self.opening} must be before closing {self.closing}")
        if not self.business_days or any(not 0 <= d <= 6 for d in self.business_days):
            raise ValueError(f"business days must be weekday numbers 0..6: {self.business_days}")
        if self.holiday_observance not in OBSERVANCES:
            raise ValueError(f"holiday observance must be one of {OBSERVANCES}")

    @property
    def tz(self) -> ZoneInfo:
        return self._zone

    @property
    def support_day(self) -> dt.timedelta:
        """One support day: the length of a business day (10 support hours by default)."""
        today = dt.date(2000, 1, 1)
        return dt.datetime.combine(today, self.closing) - dt.datetime.combine(today, self.opening)

    def canonical(self) -> str:
        """Everything that changes the arithmetic, as stable text (the version hash input)."""
        days = ",".join(WEEKDAY_NAMES[d] for d in sorted(set(self.business_days)))
        rules = ";".join(sorted(rule.canonical() for rule in self.holidays))
        return (
            f"zone={self.zone}|opening={self.opening.isoformat()}|"
            f"closing={self.closing.isoformat()}|days={days}|"
            f"observance={self.holiday_observance}|holidays={rules}"
        )

    @cached_property
    def version(self) -> str:
        digest = hashlib.sha256(self.canonical().encode()).hexdigest()[:8]
        return f"{self.name}-{digest}"

    def as_data(self) -> dict[str, Any]:
        """Plain JSON-able data that `from_data` turns back into equal rules (stored with each
        calendar version, so a ticket can be replayed against the calendar it used)."""
        return {"name": self.name, "zone": self.zone, "opening": self.opening.isoformat(),
                "closing": self.closing.isoformat(), "business_days": list(self.business_days),
                "holidays": [asdict(rule) for rule in self.holidays],
                "holiday_observance": self.holiday_observance}

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> CalendarRules:
        return cls(name=data["name"], zone=data["zone"], opening=dt.time.fromisoformat(data["opening"]),
                   closing=dt.time.fromisoformat(data["closing"]),
                   business_days=tuple(data["business_days"]),
                   holidays=tuple(HolidayRule(**rule) for rule in data["holidays"]),
                   holiday_observance=data["holiday_observance"])
