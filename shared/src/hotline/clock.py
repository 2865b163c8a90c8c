"""Time, injected: every component reads "now" from a Clock, never from datetime.now.

Production uses `SystemClock`. `FixedClock` serves unit tests. The stack-wide
simulated clock (set/advance time for every running service) builds on the same
interface.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that only moves when told to (unit tests)."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(timezone.utc)

    def advance(self, by: timedelta) -> None:
        self._at += by
