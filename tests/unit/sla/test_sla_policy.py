"""SLA policy: given a ticket's events, then expect each clock's state, due and warnings."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from hotline.calendar import CalendarRules, SupportCalendar
from hotline.sla import (
    ClockStatus,
    CustomerResponded,
    FirstResponse,
    Priority,
    PriorityChanged,
    Reopened,
    Resolved,
    RfoDelivered,
    SlaInputError,
    SlaPolicy,
    SlaSettings,
    TicketOpened,
    WaitingOnCustomer,
    WorkaroundProvided,
    default_policy,
)

LA = ZoneInfo("America/Los_Angeles")
POLICY = default_policy()


def la(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LA)


def test_p2_opened_friday_evening_across_dst() -> None:
    sla = POLICY.deadlines(2, la("2026-03-06 17:00"))
    assert sla.policy_version == POLICY.version and sla.policy_version.startswith("contract-sla-")
    assert sla.calendar_version == POLICY.calendar.version
    assert sla.response.due_at == la("2026-03-09 15:00")
    assert [(w.threshold, w.at) for w in sla.response.warnings] == [
        (75, la("2026-03-09 13:00")),
        (90, la("2026-03-09 14:12")),
    ]
    assert sla.resolution.due_at == la("2026-03-13 17:00")
    assert sla.rfo.status is ClockStatus.NOT_STARTED


def test_off_hours_non_p1_starts_at_next_opening() -> None:
    sla = POLICY.deadlines(3, la("2026-03-07 11:00"))  # Saturday
    assert sla.response.started_at == la("2026-03-09 08:00")
    assert sla.response.due_at == la("2026-03-11 12:00")  # 24 support hours... Mon 10, Tue 10, Wed 4
    assert sla.resolution.due_at == la("2026-03-27 18:00")  # 150 support hours ends at closing


def test_p1_clocks_are_24x7_in_utc() -> None:
    sla = POLICY.deadlines(1, la("2026-03-07 23:00"))  # Saturday night before spring forward
    assert sla.response.started_at == la("2026-03-07 23:00")
    assert sla.response.due_at == la("2026-03-08 04:00")  # 4 real hours: 03:00 PST = 04:00 PDT
    assert sla.resolution.due_at == la("2026-03-10 00:00")  # 48 real hours, one lost to DST
    assert sla.resolution.due_at - sla.resolution.started_at == dt.timedelta(hours=48)


def test_p4_has_no_clocks() -> None:
    sla = POLICY.deadlines(4, la("2026-03-09 10:00"))
    assert all(c.status is ClockStatus.NOT_APPLICABLE for c in sla.clocks)
    assert sla.timers() == []


def test_clocks_stop_and_are_met_or_breached() -> None:
    opened = la("2026-03-09 10:00")
    events = [
        TicketOpened(opened, 2),
        FirstResponse(la("2026-03-09 17:00")),
        WorkaroundProvided(la("2026-03-17 10:00")),  # resolution due Mon 16th 10:00
    ]
    sla = POLICY.evaluate(events)
    assert sla.response.status is ClockStatus.MET
    assert sla.response.used == dt.timedelta(hours=7)
    assert sla.resolution.due_at == la("2026-03-16 10:00")
    assert sla.resolution.status is ClockStatus.BREACHED
    assert sla.resolution.breached_at == la("2026-03-16 10:00")
    assert sla.rfo.status is ClockStatus.NOT_STARTED  # a work-around does not start the RFO


def test_response_exactly_at_due_is_met_and_running_clock_breaches_at_due() -> None:
    opened = la("2026-03-09 10:00")
    due = la("2026-03-09 18:00")
    assert POLICY.evaluate([TicketOpened(opened, 2), FirstResponse(due)]).response.status is ClockStatus.MET
    assert POLICY.evaluate([TicketOpened(opened, 2)], now=due).response.status is ClockStatus.BREACHED
    before = due - dt.timedelta(microseconds=1)
    assert POLICY.evaluate([TicketOpened(opened, 2)], now=before).response.status is ClockStatus.RUNNING


def test_waiting_on_customer_pauses_resolution_only() -> None:
    opened = la("2026-03-09 08:00")
    events = [
        TicketOpened(opened, 2),
        WaitingOnCustomer(la("2026-03-09 10:00")),
        CustomerResponded(la("2026-03-10 10:00")),  # 10 support hours paused
    ]
    sla = POLICY.evaluate(events, now=la("2026-03-10 11:00"))
    assert sla.response.due_at == la("2026-03-09 16:00")  # never paused
    assert sla.resolution.due_at == la("2026-03-16 18:00")  # 50 h + 10 h paused
    assert sla.resolution.paused[0].start == la("2026-03-09 10:00")
    while_waiting = POLICY.evaluate(events[:2], now=la("2026-03-09 12:00"))
    assert while_waiting.resolution.status is ClockStatus.PAUSED
    assert while_waiting.resolution.due_at is None


def test_pause_setting_off() -> None:
    policy = SlaPolicy.from_settings(SlaSettings(pause_on_waiting=False), SupportCalendar())
    events = [TicketOpened(la("2026-03-09 08:00"), 2), WaitingOnCustomer(la("2026-03-09 10:00"))]
    assert policy.evaluate(events).resolution.due_at == la("2026-03-13 18:00")
    assert policy.version != POLICY.version


def test_priority_change_recomputes_from_original_start_and_keeps_breaches() -> None:
    opened = la("2026-03-09 08:00")
    upgraded = POLICY.evaluate([TicketOpened(opened, 3), PriorityChanged(la("2026-03-09 09:00"), 2)])
    assert upgraded.response.due_at == la("2026-03-09 16:00")  # 8 h from 08:00, not from 09:00
    assert upgraded.response.status is ClockStatus.RUNNING
    # P2 response breached at 16:00; a downgrade to P3 afterwards keeps the breach recorded.
    events = [TicketOpened(opened, 2), PriorityChanged(la("2026-03-09 17:00"), 3)]
    sla = POLICY.evaluate(events)
    assert sla.response.due_at == la("2026-03-11 12:00")
    assert sla.response.status is ClockStatus.BREACHED
    assert sla.response.breached_at == la("2026-03-09 16:00")
    assert sla.timers() != [] and all(t.clock != "response" for t in sla.timers())


def test_resolution_starts_rfo_and_reopen_resumes_resolution() -> None:
    opened = la("2026-03-09 08:00")
    resolved = la("2026-03-10 08:00")
    events = [TicketOpened(opened, 1), Resolved(resolved)]
    sla = POLICY.evaluate(events)
    assert sla.resolution.status is ClockStatus.MET
    assert sla.rfo.started_at == resolved and sla.rfo.due_at == resolved + dt.timedelta(hours=48)
    delivered = POLICY.evaluate([*events, RfoDelivered(la("2026-03-11 08:00"))])
    assert delivered.rfo.status is ClockStatus.MET
    reopened = POLICY.evaluate([*events, Reopened(la("2026-03-10 20:00"))])
    assert reopened.resolution.status is ClockStatus.RUNNING
    assert reopened.resolution.due_at == opened + dt.timedelta(hours=48 + 12)
    assert reopened.rfo.started_at == resolved  # the RFO is still owed from the first resolution


def test_rfo_may_start_at_a_workaround_by_setting() -> None:
    policy = SlaPolicy.from_settings(SlaSettings(rfo_starts_at="workaround-or-resolved"))
    at = la("2026-03-10 08:00")
    sla = policy.evaluate([TicketOpened(la("2026-03-09 08:00"), 2), WorkaroundProvided(at)])
    assert sla.rfo.started_at == at and sla.rfo.due_at == at + dt.timedelta(hours=96)


def test_timers_are_flat_rows() -> None:
    sla = POLICY.deadlines(2, la("2026-03-09 08:00"))
    timers = sla.timers()
    assert [(t.clock, t.kind, t.threshold) for t in timers[:3]] == [
        ("response", "DeadlineApproaching", 75),
        ("response", "DeadlineApproaching", 90),
        ("response", "DeadlineBreached", 100),
    ]
    assert all(t.policy_version == sla.policy_version for t in timers)
    assert sla.timers(after=la("2026-03-09 16:00")) == [t for t in timers if t.clock == "resolution"]


def test_custom_thresholds_and_calendar_version() -> None:
    calendar = SupportCalendar(CalendarRules(holiday_observance="us-federal"))
    policy = SlaPolicy.from_settings(SlaSettings(response_warnings="50"), calendar)
    sla = policy.deadlines("P2", la("2026-03-09 08:00"))
    assert [w.threshold for w in sla.response.warnings] == [50]
    assert sla.calendar_version == calendar.version != POLICY.calendar.version


def test_bad_input() -> None:
    with pytest.raises(SlaInputError):
        POLICY.evaluate([FirstResponse(la("2026-03-09 08:00"))])
    with pytest.raises(ValueError):
        TicketOpened(dt.datetime(2026, 3, 9, 8), 2)
    with pytest.raises(ValueError):
        Priority.parse("P7")
    with pytest.raises(ValueError):
        SlaSettings(p2_response="8 hours")
