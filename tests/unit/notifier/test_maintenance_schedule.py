"""The maintenance schedule on in-memory persistence: each contact of the affected customers is
owed each notice once (scheduled, reminder, rescheduled, cancelled, completed), the notices say
what they must, the listing is a read model rebuilt from the events, and the window's events
map to the public contract."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hotline.clock import FixedClock
from hotline.contracts import MaintenanceScheduled
from hotline.contracts.envelope import parse
from hotline.directory import directory_from_yaml
from hotline.eventstore import popo_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification, notification_id
from hotline_notifier.maintenance.publication import to_cloud_event
from hotline_notifier.maintenance.schedule import MaintenanceSchedule, NoticeRules, UnknownWindow
from hotline_notifier.maintenance.rules import MaintenanceConflict, MaintenanceRefused
from hotline_notifier.maintenance.window import MaintenanceWindow

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)  # Tue 10:00 Pacific
HOUR = timedelta(hours=1)
ADMIN = {"name": "test-admin", "role": "admin"}
DIRECTORY = directory_from_yaml("""
customers:
  - name: Acme Corp
    locations: [100 Main St, Springfield]
    contacts: [{email: noc@acme.example, name: Acme NOC}, ops@acme.example]
  - name: Globex Telecom
    locations: [42 Harbor Rd, Shelbyville]
    contacts: [support@globex.example, shared@noc.example]
  - name: Initech
    locations: [1 Initech Way]
    contacts: [shared@noc.example]
""")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def schedule(clock: FixedClock) -> MaintenanceSchedule:
    app = NotifierApplication(env=popo_env(), clock=clock)
    return MaintenanceSchedule(app, lambda: DIRECTORY, clock, NoticeRules(24 * HOUR, HOUR))


def schedule_window(schedule: MaintenanceSchedule, lead: timedelta = 48 * HOUR, **overrides):
    fields = dict(starts_at=NOW + lead, ends_at=NOW + lead + 2 * HOUR, services=["core"],
                  customers=["acme corp"], reason="Core switch upgrade", actor=ADMIN)
    return schedule.schedule(**{**fields, **overrides})


def notices(schedule: MaintenanceSchedule) -> list[Notification]:
    """Every notification owed so far, in the order they were saved."""
    app = schedule.app
    ids = dict.fromkeys(n.originator_id for n in app.recorder.select_notifications(1, 10_000))
    return [a for a in map(app.repository.get, ids) if isinstance(a, Notification)]


def test_scheduling_tells_each_contact_of_the_customer_once_in_the_calendars_zone(schedule):
    window = schedule_window(schedule)
    owed = notices(schedule)
    assert sorted(n.recipient for n in owed) == ["noc@acme.example", "ops@acme.example"]
    notice = owed[0]
    assert notice.kind == "maintenance-scheduled" and notice.ticket_number is None
    assert notice.id == notification_id(f"{window.id}:1", "maintenance-scheduled", notice.recipient)
    assert "Planned maintenance of core services: Thu 2026-12-03 10:00 PST" in notice.subject
    for text in (notice.body, notice.html):
        for expected in ("Acme Corp", "Thu 2026-12-03 10:00 PST", "Core Services: call processing",
                         "Core switch upgrade", "Planned maintenance", "Thu 2026-12-03 09:00 PST",
                         "America/Los_Angeles", str(window.id)):
            assert expected in text, expected
    assert "Hello Acme NOC" in next(n.body for n in owed if n.recipient == "noc@acme.example")


def test_emergency_work_at_short_notice_says_so_in_every_part_of_the_notice(schedule):
    schedule_window(schedule, lead=2 * HOUR, emergency=True, services=["core", "supporting"])
    for notice in notices(schedule):
        assert notice.subject.startswith("EMERGENCY maintenance of core and supporting services")
        assert "EMERGENCY maintenance" in notice.body and "EMERGENCY maintenance" in notice.html
        assert "Supporting Services: management portals" in notice.body


def test_planned_work_at_23_hours_notice_is_refused_and_tells_nobody(schedule):
    with pytest.raises(MaintenanceRefused, match="24 hours' notice"):
        schedule_window(schedule, lead=23 * HOUR)
    assert notices(schedule) == [] and schedule.windows() == []


def test_all_customers_tells_every_contact_once_a_shared_one_naming_both_customers(schedule):
    window = schedule_window(schedule, customers=["all"])
    assert window.all_customers and window.customers == ["Acme Corp", "Globex Telecom", "Initech"]
    owed = notices(schedule)
    assert sorted(n.recipient for n in owed) == [
        "noc@acme.example", "ops@acme.example", "shared@noc.example", "support@globex.example"]
    shared = next(n for n in owed if n.recipient == "shared@noc.example")
    assert "Globex Telecom, Initech" in shared.body


@pytest.mark.parametrize(("customers", "reason"), [
    (["Acme Corp", "Umbrella"], "unknown_customer"), (["all", "Acme Corp"], "bad_customers"),
    ([" "], "bad_customers")])
def test_customers_must_be_known_or_all(schedule, customers, reason):
    with pytest.raises(MaintenanceRefused) as caught:
        schedule_window(schedule, customers=customers)
    assert caught.value.reason == reason


def test_reminder_start_and_completion_each_owe_their_notice_once(schedule, clock):
    window = schedule_window(schedule)
    clock.set(NOW + 46 * HOUR)
    assert schedule.fire_due() == 0
    clock.set(NOW + 47 * HOUR)
    assert schedule.fire_due() == 1
    assert schedule.fire_due() == 0  # the reminder is not due twice
    clock.set(NOW + 48 * HOUR)
    assert schedule.fire_due() == 1  # started: published, not mailed
    assert schedule.window(str(window.id)).status == "started"
    clock.set(NOW + 49 * HOUR)
    done = schedule.complete(str(window.id)[:8], note="All switches upgraded", actor=ADMIN)
    assert done.status == "completed" and done.completed_at == NOW + 49 * HOUR
    owed = notices(schedule)
    assert [n.kind for n in owed] == ["maintenance-scheduled"] * 2 + [
        "maintenance-reminder"] * 2 + ["maintenance-completed"] * 2
    assert [n.subject.split(":")[0] for n in owed][::2] == [
        "Planned maintenance of core services", "Reminder", "Planned maintenance completed"]
    assert "All switches upgraded" in owed[-1].body
    assert len({n.id for n in owed}) == 6


def test_rescheduling_tells_the_contacts_and_rearms_the_reminder(schedule, clock):
    window = schedule_window(schedule)
    clock.set(NOW + 47 * HOUR)
    schedule.fire_due()
    moved = schedule.reschedule(str(window.id), starts_at=NOW + 72 * HOUR, ends_at=NOW + 73 * HOUR,
                                actor=ADMIN)
    assert moved.reminder_due_at == NOW + 71 * HOUR
    rescheduled = [n for n in notices(schedule) if "moved" in n.subject]
    assert len(rescheduled) == 2
    assert "Thu 2026-12-03 10:00 PST" in rescheduled[0].body  # where it was
    clock.set(NOW + 71 * HOUR)
    assert schedule.fire_due() == 1
    assert sum("Reminder" in n.subject for n in notices(schedule)) == 4


def test_a_cancelled_window_tells_the_contacts_then_nothing_more(schedule, clock):
    window = schedule_window(schedule)
    schedule.cancel(str(window.id), note="Vendor withdrew the patch", actor=ADMIN)
    assert sum("cancelled" in n.subject for n in notices(schedule)) == 2
    clock.set(NOW + 60 * HOUR)
    assert schedule.fire_due() == 0
    with pytest.raises(MaintenanceConflict):
        schedule.complete(str(window.id))
    assert len(notices(schedule)) == 4


def test_the_listing_is_a_read_model_that_can_be_rebuilt_from_the_events(schedule, clock):
    first = schedule_window(schedule)
    second = schedule_window(schedule, lead=72 * HOUR, customers=["Globex Telecom"])
    schedule.cancel(str(first.id))
    listed = schedule.windows()
    assert [w.id for w in listed] == [second.id, first.id]  # latest start first
    assert [w.id for w in schedule.windows("cancelled")] == [first.id]
    schedule.app.recorder.replace_maintenance([])
    assert schedule.windows() == []
    assert schedule.rebuild() == 2
    assert schedule.windows() == listed


def test_a_window_is_named_by_its_id_or_a_unique_prefix(schedule):
    window = schedule_window(schedule)
    assert schedule.window(str(window.id).upper()[:8]).id == window.id
    for reference in ("1234", "zzzzzzzz-", "00000000"):
        with pytest.raises(UnknownWindow):
            schedule.window(reference)


def test_window_events_map_to_the_public_contract_and_the_rest_stay_private(schedule, clock):
    window = schedule_window(schedule)
    clock.set(NOW + 47 * HOUR)
    schedule.fire_due()
    stored = schedule.app.recorder.select_notifications(1, 100)
    mapped = [(to_cloud_event(schedule.app.mapper.to_domain_event(n), n.id), n) for n in stored]
    published = [(event, n) for event, n in mapped if event is not None]
    assert [event.type for event, _ in published] == ["hotline.maintenance.scheduled.v1"]
    [(event, stored_event)] = published
    assert stored_event.topic.endswith("MaintenanceWindow.Scheduled")
    assert (event.subject, event.id) == (str(window.id), f"{window.id}:1")
    again = parse(event.headers(), event.body())
    assert isinstance(again.data, MaintenanceScheduled)
    assert again.data.customers == ["Acme Corp"] and again.data.actor.name == "test-admin"
    assert again.data.starts_at == NOW + 48 * HOUR
    assert MaintenanceWindow.Reminded not in {type(schedule.app.mapper.to_domain_event(n))
                                              for _, n in published}
