"""Clock budgets: how long each clock may run, and on which time basis.

A budget is written `"<duration> <basis>"` or `"none"`: the basis is `support` (Standard
Support Hours only; one day = one support day = 10 support hours) or `24x7` (wall-clock time
added in UTC; one day = 24 hours). So `"5d support"` is 50 support hours and `"2d 24x7"` is 48
hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from hotline.calendar.durations import WALL_DAY, format_duration, parse_duration

ClockName = Literal["response", "resolution", "rfo"]
CLOCKS: tuple[ClockName, ...] = ("response", "resolution", "rfo")


class Basis(StrEnum):
    SUPPORT = "support"
    WALL = "24x7"


@dataclass(frozen=True, slots=True)
class Budget:
    """`amount` of time on `basis`."""

    amount: dt.timedelta
    basis: Basis

    @classmethod
    def parse(cls, text: str, support_day: dt.timedelta) -> Budget | None:
        """`"8h support"`, `"2d 24x7"` → Budget; `"none"` → None. Raises ValueError."""
        words = text.split()
        if [w.lower() for w in words] == ["none"]:
            return None
        if len(words) != 2 or words[1].lower() not in {b.value for b in Basis}:
            raise ValueError(f"a budget is '<duration> support|24x7' or 'none', not {text!r}")
        basis = Basis(words[1].lower())
        day = support_day if basis is Basis.SUPPORT else WALL_DAY
        amount = parse_duration(words[0], day=day)
        if amount <= dt.timedelta(0):
            raise ValueError(f"a budget must be positive: {text!r}")
        return cls(amount, basis)

    def __str__(self) -> str:
        return f"{format_duration(self.amount)} {self.basis.value}"
