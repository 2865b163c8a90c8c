"""Notice of relevant platform changes (`kind: change`) on in-memory persistence: announcing one
with 48 h lead time publishes `hotline.maintenance.change-announced.v1` and owes one
`change-announced` notice per affected contact; 23 h is refused unless it is an emergency, and
the emergency notice says so; a change is never reminded and its later events keep the window's
types with `kind: change`; HTTP and the CLI take `kind`; maintenance events recorded before kinds
existed still load as maintenance."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hotline.clock import FixedClock
from hotline.contracts import MaintenanceChangeAnnounced, MaintenanceCompleted, MaintenanceScheduled
from hotline.directory import directory_from_yaml
from hotline.eventstore import popo_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification, notification_id
from hotline_notifier.maintenance import cli
from hotline_notifier.maintenance.http import maintenance_router
from hotline_notifier.maintenance.publication import to_cloud_event
from hotline_notifier.maintenance.rules import MaintenanceRefused
from hotline_notifier.maintenance.schedule import MaintenanceSchedule, NoticeRules
from hotline_notifier.maintenance.window import MaintenanceWindow

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=timezone.utc)  # Tue 10:00 Pacific
HOUR = timedelta(hours=1)
ADMIN = {"name": "test-admin", "role": "admin"}
DIRECTORY = directory_from_yaml("""
customers:
  - name: Acme Corp
    locations: [100 Main St]
    contacts: [noc@acme.example]
  - name: Globex Telecom
    locations: [42 Harbor Rd]
    contacts: [support@globex.example, shared@noc.example]
  - name: Initech
    locations: [1 Initech Way]
    contacts: [shared@noc.example]
""")
CHANGE = "Calls to Location Addresses route via the new SBC pair"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def schedule(clock: FixedClock) -> MaintenanceSchedule:
    app = NotifierApplication(env=popo_env(), clock=clock)
    return MaintenanceSchedule(app, lambda: DIRECTORY, clock, NoticeRules(24 * HOUR, HOUR))


def announce(schedule: MaintenanceSchedule, lead: timedelta = 48 * HOUR, **overrides):
    fields = dict(kind="change", starts_at=NOW + lead, ends_at=None, services=["core"],
                  customers=["Globex Telecom", "Initech"], reason=CHANGE, actor=ADMIN)
    return schedule.schedule(**{**fields, **overrides})


def notices(schedule: MaintenanceSchedule) -> list[Notification]:
    app = schedule.app
    ids = dict.fromkeys(n.originator_id for n in app.recorder.select_notifications(1, 10_000))
    return [a for a in map(app.repository.get, ids) if isinstance(a, Notification)]


def published(schedule: MaintenanceSchedule) -> list:
    app = schedule.app
    events = (to_cloud_event(app.mapper.to_domain_event(n), n.id)
              for n in app.recorder.select_notifications(1, 10_000))
    return [e for e in events if e is not None]


def test_a_change_48_hours_ahead_is_announced_once_to_each_affected_contact(schedule):
    change = announce(schedule)
    assert (change.kind, change.ends_at) == ("change", change.starts_at)
    assert change.reminder_due_at is None
    [event] = published(schedule)
    assert event.type == "hotline.maintenance.change-announced.v1"
    assert isinstance(event.data, MaintenanceChangeAnnounced) and event.data.kind == "change"
    assert event.data.announced_at == NOW and event.data.actor.name == "test-admin"
    owed = notices(schedule)
    assert sorted(n.recipient for n in owed) == ["shared@noc.example", "support@globex.example"]
    notice = next(n for n in owed if n.recipient == "shared@noc.example")
    assert notice.kind == "change-announced"
    assert notice.id == notification_id(f"{change.id}:1", "change-announced", notice.recipient)
    assert notice.subject == ("Planned change to core services: takes effect "
                              "Thu 2026-12-03 10:00 PST")
    for text in (notice.body, notice.html):
        for expected in ("planned change", "Thu 2026-12-03 10:00 PST", CHANGE, "Planned change",
                         "Core Services: call processing", "Globex Telecom, Initech",
                         str(change.id)):
            assert expected in text, expected
        assert "remind" not in text and "EMERGENCY" not in text


def test_23_hours_is_refused_unless_an_emergency_and_the_emergency_notice_says_so(schedule):
    with pytest.raises(MaintenanceRefused) as refused:
        announce(schedule, 23 * HOUR)
    assert refused.value.reason == "insufficient_notice"
    assert "planned change needs at least 24 hours' notice" in refused.value.message
    assert "an emergency change" in refused.value.message
    assert notices(schedule) == []
    change = announce(schedule, 23 * HOUR, emergency=True)
    assert change.emergency
    [notice, _] = notices(schedule)
    assert notice.subject.startswith("EMERGENCY change to core services")
    assert "EMERGENCY change to the Hotline platform, at short notice" in notice.body
    assert "emergency change</strong>" in notice.html
    assert published(schedule)[0].data.emergency


def test_a_change_is_never_reminded_and_its_later_events_keep_their_types(schedule, clock):
    change = announce(schedule, 48 * HOUR, ends_at=NOW + 50 * HOUR)
    clock.set(NOW + 47.5 * HOUR)  # a window would have its reminder now
    assert schedule.fire_due() == 0
    clock.set(NOW + 48 * HOUR)
    assert schedule.fire_due() == 1  # it took effect
    schedule.complete(str(change.id), note="rolled out", actor=ADMIN)
    events = published(schedule)
    assert [e.type for e in events] == ["hotline.maintenance.change-announced.v1",
                                        "hotline.maintenance.started.v1",
                                        "hotline.maintenance.completed.v1"]
    assert isinstance(events[-1].data, MaintenanceCompleted)
    assert {e.data.kind for e in events} == {"change"}
    kinds = [n.kind for n in notices(schedule)]
    assert kinds == ["change-announced"] * 2 + ["maintenance-completed"] * 2
    completed = notices(schedule)[-1]
    assert "The change below was completed" in completed.body
    assert completed.subject.startswith("Planned change completed")


def test_a_change_may_not_end_before_it_takes_effect_and_the_kind_is_checked(schedule):
    with pytest.raises(MaintenanceRefused) as refused:
        announce(schedule, ends_at=NOW + 47 * HOUR)
    assert refused.value.reason == "end_before_start"
    with pytest.raises(MaintenanceRefused) as refused:
        announce(schedule, kind="outage")
    assert refused.value.reason == "bad_kind"
    with pytest.raises(MaintenanceRefused) as refused:
        announce(schedule, kind="maintenance")  # maintenance still needs its end
    assert refused.value.reason == "no_end"


def test_maintenance_recorded_before_kinds_existed_still_loads_as_maintenance(schedule):
    window = schedule.schedule(starts_at=NOW + 48 * HOUR, ends_at=NOW + 50 * HOUR,
                               services=["core"], customers=["Acme Corp"], reason="Upgrade")
    mapper = schedule.app.mapper
    [stored] = schedule.app.recorder.select_events(window.id)
    state = mapper.transcoder.decode(stored.state)
    del state["kind"]  # as the event was written before kinds existed
    old = type(stored)(originator_id=stored.originator_id,
                       originator_version=stored.originator_version, topic=stored.topic,
                       state=mapper.transcoder.encode(state))
    domain_event = mapper.to_domain_event(old)
    loaded: MaintenanceWindow = domain_event.mutate(None)
    assert loaded.kind == "maintenance" and loaded.ends_at == NOW + 50 * HOUR
    published_old = to_cloud_event(domain_event, 1)
    assert isinstance(published_old.data, MaintenanceScheduled)
    assert published_old.data.kind == "maintenance"
    assert schedule.window(str(window.id)).kind == "maintenance"


def test_http_takes_the_kind(schedule):
    http = FastAPI()
    http.include_router(maintenance_router(schedule))
    client = TestClient(http)
    body = {"kind": "change", "starts_at": (NOW + 48 * HOUR).isoformat(), "services": ["core"],
            "customers": ["Initech"], "reason": CHANGE}
    created = client.post("/maintenance", json=body)
    assert created.status_code == 201, created.text
    assert (created.json()["kind"], created.json()["ends_at"]) == (
        "change", created.json()["starts_at"])
    late = client.post("/maintenance", json={**body, "starts_at": (NOW + 23 * HOUR).isoformat()})
    assert (late.status_code, late.json()["detail"]["reason"]) == (422, "insufficient_notice")
    assert client.post("/maintenance", json={**body, "kind": "outage"}).status_code == 422
    no_end = client.post("/maintenance", json={**body, "kind": "maintenance"})
    assert (no_end.status_code, no_end.json()["detail"]["reason"]) == (422, "no_end")


def test_the_cli_sends_the_kind_and_the_end_defaults_on_the_server(monkeypatch):
    sent = []

    def call(method, url, path, body=None, **_):
        sent.append((method, path, body))
        return {"id": "0" * 32, "kind": "change", "status": "scheduled",
                "starts_at": body["starts_at"], "ends_at": body["starts_at"], "emergency": True,
                "services": ["core"], "customers": ["Initech"], "all_customers": False,
                "reason": body["reason"]}

    monkeypatch.setattr(cli, "call", call)
    result = CliRunner().invoke(cli.app, [
        "schedule", "--kind", "change", "--start", "2026-12-02T12:00:00-08:00", "--emergency",
        "--services", "core", "--customers", "Initech", "--reason", CHANGE])
    assert result.exit_code == 0, result.output
    [(method, path, body)] = sent
    assert (method, path, body["kind"], body["ends_at"], body["emergency"]) == (
        "POST", "/maintenance", "change", None, True)
    assert "EMERGENCY change" in result.output


def test_a_moved_change_says_when_it_now_takes_effect(schedule):
    change = announce(schedule)
    schedule.reschedule(str(change.id), starts_at=NOW + 60 * HOUR, ends_at=None, actor=ADMIN)
    moved = notices(schedule)[-1]
    assert moved.kind == "maintenance-rescheduled"
    assert moved.subject == "Planned change moved: now takes effect Thu 2026-12-03 22:00 PST"
    assert "It was to take effect at\nThu 2026-12-03 10:00 PST" in moved.body
    assert published(schedule)[-1].type == "hotline.maintenance.rescheduled.v1"
