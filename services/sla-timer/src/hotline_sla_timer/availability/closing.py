"""The automatic close: on the first business day after a month (the support calendar's first
open instant of the next month), sla-timer closes it by itself, on the stack's clock. It looks
every `tick_seconds` and at once on NOTIFY `hotline_clock` (the simulated clock moved). Only
the previous month is closed this way (earlier ones by `hotline report availability
--close-month`); closing is idempotent, so a restart or a second instance changes nothing."""

from __future__ import annotations

import logging
from typing import Any

from hotline.calendar import SupportCalendar
from hotline.clock_ticks import on_clock
from hotline.sla.availability import Month

log = logging.getLogger(__name__)


class MonthCloser:
    def __init__(self, app: Any, calendar: SupportCalendar, database_url: str, *,
                 tick_seconds: float = 30.0) -> None:
        self._app = app
        self._calendar = calendar
        self._url = database_url
        self._tick = tick_seconds
        self.closed: Month | None = None  # the last month this process closed (or found closed)

    async def run(self) -> None:
        await on_clock(self._url, self._tick, self.close_due)

    def close_due(self) -> int:
        """Close the month due now, if any and not done; returns how many reports it made."""
        month = self._app.due_to_close(self._app.clock.now(), self._calendar)
        if month is None or month == self.closed:
            return 0
        reports = self._app.close_month(month)
        self.closed = month
        if reports:
            log.info("closed %s: %d availability reports", month, len(reports),
                     extra={"month": str(month), "reports": len(reports)})
        return len(reports)
