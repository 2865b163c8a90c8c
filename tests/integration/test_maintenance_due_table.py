"""Maintenance windows on real PostgreSQL: the due table is written with the window's events,
fires the reminder and the start once each, across restarts and with two instances firing at
the same time; the timer wakes when the simulated clock moves; the listing is rebuilt from the
event log."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timedelta, timezone

import pytest

from hotline.clock import Clock, FixedClock, SimulatedClock
from hotline.directory import directory_from_yaml
from hotline.eventstore import ensure_schema, postgres_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification
from hotline_notifier.maintenance.schedule import MaintenanceSchedule, NoticeRules
from hotline_notifier.maintenance.timer import MaintenanceTimer
from hotline_notifier.maintenance.window import MaintenanceWindow

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)
DIRECTORY = directory_from_yaml("""
customers:
  - name: Acme Corp
    locations: [100 Main St, Springfield]
    contacts: [noc@acme.example, ops@acme.example]
""")


def instance(url: str, schema: str, clock: Clock) -> MaintenanceSchedule:
    """One notifier process's schedule (a new one after a restart: nothing kept in memory)."""
    ensure_schema(url, schema)
    app = NotifierApplication(env=postgres_env(url, schema), clock=clock)
    return MaintenanceSchedule(app, lambda: DIRECTORY, clock, NoticeRules(24 * HOUR, HOUR))


def window_events(schedule: MaintenanceSchedule, window_id) -> list[str]:
    return [type(e).__name__ for e in schedule.app.events.get(window_id)]


def notice_subjects(schedule: MaintenanceSchedule) -> list[str]:
    app = schedule.app
    ids = dict.fromkeys(n.originator_id for n in app.recorder.select_notifications(1, 10_000)
                        if "Notification" in n.topic)
    notices = [a for a in map(app.repository.get, ids) if isinstance(a, Notification)]
    return [n.subject.split(":")[0] for n in notices]


def schedule_window(schedule: MaintenanceSchedule, lead: timedelta = 48 * HOUR):
    return schedule.schedule(starts_at=NOW + lead, ends_at=NOW + lead + 2 * HOUR,
                             services=["core"], customers=["Acme Corp"], reason="Switch upgrade")


async def test_the_reminder_and_the_start_fire_once_across_restarts_and_racing_instances(
        infra, schema):
    clock = FixedClock(NOW)
    first = await asyncio.to_thread(instance, infra.database_url, schema, clock)
    window = await asyncio.to_thread(schedule_window, first)
    assert await asyncio.to_thread(first.fire_due) == 0

    # Restarted (a new process) when the reminder falls due: it fires once.
    clock.set(NOW + 47 * HOUR)
    second = await asyncio.to_thread(instance, infra.database_url, schema, clock)
    assert await asyncio.to_thread(second.fire_due) == 1
    third = await asyncio.to_thread(instance, infra.database_url, schema, clock)
    assert await asyncio.to_thread(third.fire_due) == 0

    # Two instances at the start instant: one records it, the other finds it done.
    clock.set(NOW + 48 * HOUR)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def fire(schedule: MaintenanceSchedule) -> None:
        barrier.wait()
        results.append(schedule.fire_due())

    threads = [threading.Thread(target=fire, args=(s,)) for s in (second, third)]
    for thread in threads:
        thread.start()
    for thread in threads:
        await asyncio.to_thread(thread.join)
    assert sorted(results) == [0, 1]
    assert await asyncio.to_thread(first.fire_due) == 0
    assert await asyncio.to_thread(window_events, first, window.id) == [
        "Scheduled", "Reminded", "Started"]
    assert sorted(await asyncio.to_thread(notice_subjects, first)) == [
        "Planned maintenance of core services"] * 2 + ["Reminder"] * 2
    assert (await asyncio.to_thread(first.window, str(window.id))).status == "started"


async def test_the_timer_wakes_when_the_simulated_clock_moves(infra, schema):
    url = infra.fresh_database()
    try:
        clock = SimulatedClock(url)
        clock.set(NOW)
        schedule = await asyncio.to_thread(instance, url, schema, clock)
        window = await asyncio.to_thread(schedule_window, schedule)
        timer = asyncio.create_task(MaintenanceTimer(schedule, url, tick_seconds=60).run())
        try:
            await asyncio.sleep(0.5)  # listening; the first round found nothing due
            await asyncio.to_thread(clock.set, NOW + 48 * HOUR)  # past the reminder and the start
            for _ in range(50):
                if (await asyncio.to_thread(schedule.window, str(window.id))).status == "started":
                    break
                await asyncio.sleep(0.1)
        finally:
            timer.cancel()
        events = await asyncio.to_thread(window_events, schedule, window.id)
        assert events == ["Scheduled", "Started"]
    finally:
        infra.drop_database(url)


async def test_the_listing_is_rebuilt_from_the_event_log(infra, schema):
    clock = FixedClock(NOW)
    schedule = await asyncio.to_thread(instance, infra.database_url, schema, clock)
    windows = [await asyncio.to_thread(schedule_window, schedule, lead)
               for lead in (48 * HOUR, 72 * HOUR)]
    await asyncio.to_thread(schedule.cancel, str(windows[0].id)[:8])
    listed = await asyncio.to_thread(schedule.windows)
    assert [w.id for w in listed] == [windows[1].id, windows[0].id]
    await asyncio.to_thread(schedule.app.recorder.replace_maintenance, [])
    assert await asyncio.to_thread(schedule.windows) == []
    assert await asyncio.to_thread(schedule.rebuild) == 2
    assert await asyncio.to_thread(schedule.windows) == listed
    clock.set(NOW + 71 * HOUR)  # the rebuilt due table still owes the second window's reminder
    assert await asyncio.to_thread(schedule.fire_due) == 1
    assert isinstance(schedule.app.repository.get(windows[1].id), MaintenanceWindow)
