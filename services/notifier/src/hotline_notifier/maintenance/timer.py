"""The maintenance timer: fires what falls due on maintenance windows (reminders, starts) on the
stack's clock, every `tick_seconds` and at once on NOTIFY `hotline_clock` (the simulated clock
was set or advanced). Nothing is held in memory: pending instants live in the due table, so a
restart picks up where the last run left off, and whatever fell due while it was down fires
at once (a reminder only while the work has not begun)."""

from __future__ import annotations

from hotline.clock_ticks import on_clock

from hotline_notifier.maintenance.schedule import MaintenanceSchedule


class MaintenanceTimer:
    def __init__(self, schedule: MaintenanceSchedule, database_url: str, *,
                 tick_seconds: float = 1.0) -> None:
        self._schedule = schedule
        self._url = database_url
        self._tick = tick_seconds

    async def run(self) -> None:
        await on_clock(self._url, self._tick, self._schedule.fire_due)
