"""The MaintenanceWindow aggregate, given / when / then: the notice rule, emergency work,
rescheduling, cancelling, starting, completing and the reminder it owes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hotline_notifier.maintenance.rules import MaintenanceConflict, MaintenanceRefused
from hotline_notifier.maintenance.window import REMINDER, START, MaintenanceWindow

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)  # Tue 10:00 Pacific
DAY, HOUR = timedelta(hours=24), timedelta(hours=1)
ADMIN = {"name": "test-admin", "role": "admin"}


def scheduled(lead: timedelta = 48 * HOUR, emergency: bool = False,
              **overrides) -> MaintenanceWindow:
    fields = dict(starts_at=NOW + lead, ends_at=NOW + lead + 2 * HOUR, services=["core"],
                  customers=["Acme Corp"], all_customers=False, reason="Core switch upgrade",
                  emergency=emergency, now=NOW, lead_time=DAY, actor=ADMIN)
    return MaintenanceWindow.schedule(**{**fields, **overrides})


def events(window: MaintenanceWindow) -> list[str]:
    return [type(e).__name__ for e in window.collect_events()]


def refusal(call, kind=MaintenanceRefused) -> str:
    with pytest.raises(kind) as caught:
        call()
    return caught.value.reason


# -- the notice rule ------------------------------------------------------------------------------
def test_when_planned_work_has_a_days_notice_then_it_is_scheduled_with_its_actor():
    window = scheduled(lead=DAY)
    [event] = window.collect_events()
    assert type(event).__name__ == "Scheduled"
    assert (event.starts_at, event.emergency, event.actor) == (NOW + DAY, False, ADMIN)
    assert window.status == "scheduled"


def test_when_planned_work_has_23_hours_notice_then_it_is_refused_saying_why():
    with pytest.raises(MaintenanceRefused) as caught:
        scheduled(lead=23 * HOUR)
    assert caught.value.reason == "insufficient_notice"
    assert "at least 24 hours' notice" in caught.value.message
    assert "emergency" in caught.value.message


def test_when_emergency_work_has_23_hours_or_no_notice_then_it_is_scheduled():
    assert scheduled(lead=23 * HOUR, emergency=True).emergency is True
    assert scheduled(lead=timedelta(0), emergency=True).starts_at == NOW


@pytest.mark.parametrize(("overrides", "reason"), [
    ({"ends_at": NOW + 48 * HOUR}, "end_before_start"),
    ({"starts_at": NOW - HOUR, "ends_at": NOW + HOUR, "emergency": True}, "start_in_past"),
    ({"services": ["core", "billing"]}, "bad_services"),
    ({"services": []}, "bad_services"),
    ({"customers": []}, "no_customers"),
    ({"reason": "x" * 501}, "bad_reason"),
    ({"reason": "  \n "}, "bad_reason"),
])
def test_a_window_that_breaks_a_rule_is_refused_with_its_reason(overrides, reason):
    assert refusal(lambda: scheduled(**overrides)) == reason


def test_the_reason_is_kept_on_one_line():
    assert scheduled(reason="Core switch\n  upgrade").reason == "Core switch upgrade"


# -- rescheduling ---------------------------------------------------------------------------------
def test_given_a_window_when_it_is_postponed_then_it_is_rescheduled_and_names_the_old_times():
    window = scheduled()
    window.reschedule(starts_at=NOW + 72 * HOUR, ends_at=NOW + 74 * HOUR, now=NOW + HOUR,
                      lead_time=DAY, note="vendor delay", actor=ADMIN)
    event = window.collect_events()[-1]
    assert type(event).__name__ == "Rescheduled"
    assert (event.previous_starts_at, event.starts_at, event.note) == (
        NOW + 48 * HOUR, NOW + 72 * HOUR, "vendor delay")


def test_given_a_window_when_it_moves_earlier_then_it_needs_the_notice_again():
    window = scheduled()
    assert refusal(lambda: window.reschedule(starts_at=NOW + 20 * HOUR, ends_at=NOW + 22 * HOUR,
                                             now=NOW, lead_time=DAY)) == "insufficient_notice"
    window.reschedule(starts_at=NOW + 20 * HOUR, ends_at=NOW + 22 * HOUR, now=NOW, lead_time=DAY,
                      emergency=True)
    assert window.emergency is True


def test_given_a_window_three_hours_away_when_it_is_postponed_then_no_new_notice_is_needed():
    window = scheduled()
    window.reschedule(starts_at=NOW + 49 * HOUR, ends_at=NOW + 50 * HOUR, now=NOW + 45 * HOUR,
                      lead_time=DAY)
    assert window.starts_at == NOW + 49 * HOUR


def test_rescheduling_to_the_same_times_is_refused():
    window = scheduled()
    assert refusal(lambda: window.reschedule(starts_at=window.starts_at, ends_at=window.ends_at,
                                             now=NOW, lead_time=DAY)) == "unchanged"


# -- cancelling, starting, completing -------------------------------------------------------------
def test_given_a_cancelled_window_then_nothing_more_is_due_nor_allowed():
    window = scheduled()
    window.cancel(now=NOW + HOUR, note="not needed", actor=ADMIN)
    assert window.due(HOUR) == []
    assert window.fire_due(NOW + 60 * HOUR, HOUR) is None
    assert refusal(lambda: window.cancel(now=NOW + 2 * HOUR), MaintenanceConflict) == "cancelled"
    assert refusal(lambda: window.complete(now=NOW + 60 * HOUR), MaintenanceConflict) == "cancelled"
    assert events(window) == ["Scheduled", "Cancelled"]


def test_a_window_that_has_begun_cannot_be_cancelled_or_rescheduled():
    window = scheduled()
    later = NOW + 48 * HOUR
    assert refusal(lambda: window.cancel(now=later), MaintenanceConflict) == "started"

    def move() -> None:
        window.reschedule(starts_at=later + DAY, ends_at=later + 2 * DAY, now=later, lead_time=DAY)

    assert refusal(move, MaintenanceConflict) == "started"


def test_work_not_begun_cannot_be_completed():
    window = scheduled()
    assert refusal(lambda: window.complete(now=NOW + HOUR), MaintenanceConflict) == "not_started"


def test_given_a_started_window_when_completed_then_it_is_completed_once():
    window = scheduled()
    assert window.fire_due(NOW + 48 * HOUR, HOUR) == START
    window.complete(now=NOW + 49 * HOUR, actor=ADMIN)
    assert refusal(lambda: window.complete(now=NOW + 50 * HOUR), MaintenanceConflict) == "completed"
    assert events(window) == ["Scheduled", "Started", "Completed"]
    assert window.started_at == NOW + 48 * HOUR and window.completed_at == NOW + 49 * HOUR


def test_completing_work_whose_start_was_not_recorded_yet_records_the_start_first():
    window = scheduled()
    window.complete(now=NOW + 48 * HOUR + timedelta(minutes=5))
    assert events(window) == ["Scheduled", "Started", "Completed"]


# -- the reminder ---------------------------------------------------------------------------------
def test_a_window_owes_a_reminder_an_hour_before_its_start_and_then_its_start():
    window = scheduled()
    assert window.due(HOUR) == [(REMINDER, NOW + 47 * HOUR), (START, NOW + 48 * HOUR)]
    assert window.fire_due(NOW + 46 * HOUR, HOUR) is None
    assert window.fire_due(NOW + 47 * HOUR, HOUR) == REMINDER
    assert window.due(HOUR) == [(START, NOW + 48 * HOUR)]
    assert window.fire_due(NOW + 47 * HOUR + timedelta(minutes=1), HOUR) is None
    assert window.fire_due(NOW + 48 * HOUR, HOUR) == START
    assert window.due(HOUR) == []
    assert events(window) == ["Scheduled", "Reminded", "Started"]


def test_a_rescheduled_window_is_reminded_again_before_its_new_start():
    window = scheduled()
    window.fire_due(NOW + 47 * HOUR, HOUR)
    window.reschedule(starts_at=NOW + 72 * HOUR, ends_at=NOW + 74 * HOUR, now=NOW + 47 * HOUR,
                      lead_time=DAY)
    assert window.due(HOUR) == [(REMINDER, NOW + 71 * HOUR), (START, NOW + 72 * HOUR)]


def test_work_told_less_than_an_hour_ahead_gets_no_reminder_and_none_when_they_are_off():
    assert scheduled(lead=timedelta(minutes=30), emergency=True).due(HOUR)[0][0] == START
    assert scheduled().due(timedelta(0)) == [(START, NOW + 48 * HOUR)]


def test_when_the_reminder_instant_and_the_start_both_passed_then_only_the_start_is_recorded():
    window = scheduled()
    assert window.fire_due(NOW + 50 * HOUR, HOUR) == START
    assert events(window) == ["Scheduled", "Started"]
