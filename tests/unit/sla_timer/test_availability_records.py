"""Outage records, maintenance windows and monthly figures in sla-timer, in memory (POPO): the
defaults of an outage record, the refusals (P3/P4, unknown ticket, already ended), corrections as
new events on hotline.sla.v1, maintenance kept once per position, a month closed once per
customer and class, and the read model rebuilt from the log giving the same report."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from hotline import contracts
from hotline.calendar import SupportCalendar
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline.sla.availability import MaintenanceRule, Month
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.availability import Refused
from hotline_sla_timer.availability.reports import AvailabilityPolicy
from hotline_sla_timer.publication import to_cloud_event

UTC = timezone.utc
OPENED = datetime.fromisoformat("2026-12-09T10:00:00-08:00")


class Feed:
    """Contract events with increasing log positions, from intake and notifier."""

    def __init__(self) -> None:
        self.position = 0

    def event(self, data: contracts.EventBody, source: str = "intake", subject: str = "x") -> CloudEvent:
        self.position += 1
        return CloudEvent(id=f"e:{self.position}", source=f"/hotline/{source}", type=data.ce_type,
                          time=OPENED, subject=subject, position=self.position, data=data)

    def opened(self, app, number: str, priority: int = 1, customer: str = "Acme Corp") -> None:
        app.take(self.event(contracts.TicketOpened(
            ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer=customer,
            location="x", issue="i", description="d", priority=priority, channel="http",
            contact="noc@acme.example", received_at=OPENED, off_hours=False)))

    def changed(self, app, contract: type, number: str, at: datetime) -> None:
        app.take(self.event(contract(ticket_id=contracts.ticket_id_for(number), ticket_number=number, at=at)))


@pytest.fixture
def clock():
    return FixedClock(OPENED)


@pytest.fixture
def app(clock):
    return SlaTimerApplication(env=popo_env(), clock=clock, availability=AvailabilityPolicy(
        customers=lambda: ["Acme Corp", "Globex Telecom"]))


def published(app) -> list[CloudEvent]:
    events = []
    for notification in app.recorder.select_notifications(1, 10_000):
        domain_event = app.mapper.to_domain_event(notification)
        cloud = to_cloud_event(domain_event, notification.id)
        if cloud is not None:
            events.append(cloud)
    return events


def test_a_p1_is_recorded_with_the_tickets_opening_restoration_and_customer(app, clock):
    feed = Feed()
    feed.opened(app, "T-000001")
    feed.changed(app, contracts.WorkaroundProvided, "T-000001", OPENED + timedelta(minutes=4, seconds=19))
    feed.changed(app, contracts.TicketResolved, "T-000001", OPENED + timedelta(hours=2))
    outage = app.record_outage("T-000001", "core", "platform", actor={"name": "a", "role": "agent"})
    assert (outage.starts_at, outage.ends_at, outage.customers) == (
        OPENED, OPENED + timedelta(minutes=4, seconds=19), ["Acme Corp"])
    [core, supporting] = app.figures(Month.parse("2026-12"), "Acme Corp")
    assert (core.downtime_seconds, core.met, supporting.downtime_seconds) == (259, True, 0)
    [event] = [e for e in published(app) if e.type.startswith("hotline.sla.outage")]
    assert event.type == "hotline.sla.outage-recorded.v1" and event.subject == "T-000001"
    assert event.data.actor.name == "a" and event.data.ticket_id == contracts.ticket_id_for("T-000001")


def test_without_a_restoration_the_outage_stays_open_until_it_is_ended(app, clock):
    feed = Feed()
    feed.opened(app, "T-000002", priority=2)
    outage = app.record_outage("T-000002", "supporting", "third-party", customers=["all"])
    assert outage.ends_at is None and outage.all_customers
    clock.set(OPENED + timedelta(minutes=10))
    [_, supporting] = app.figures(Month.parse("2026-12"), "Globex Telecom")
    assert supporting.downtime_seconds == 600
    ended = app.end_outage("T-000002", OPENED + timedelta(minutes=5))
    assert ended.ends_at == OPENED + timedelta(minutes=5)
    with pytest.raises(Refused) as refused:
        app.end_outage("T-000002", OPENED + timedelta(minutes=6))
    assert (refused.value.status, refused.value.reason) == (409, "already_ended")
    again = app.record_outage("T-000002", "supporting", "third-party", customers=["all"])
    assert again.ends_at == OPENED + timedelta(minutes=5)  # recorded again, the end is kept
    types = [e.type for e in published(app) if "outage" in e.type]
    assert types == ["hotline.sla.outage-recorded.v1", "hotline.sla.outage-corrected.v1",
                     "hotline.sla.outage-corrected.v1"]
    assert [e.data.correction for e in published(app) if "corrected" in e.type] == ["ended", "recorded-again"]


@pytest.mark.parametrize(("number", "setup", "status", "reason"), [
    ("T-000003", 3, 409, "not_an_outage"),
    ("T-000004", 4, 409, "not_an_outage"),
    ("T-000009", None, 404, "unknown_ticket"),
])
def test_refusals(app, number, setup, status, reason):
    if setup is not None:
        Feed().opened(app, number, priority=setup)
    with pytest.raises(Refused) as refused:
        app.record_outage(number, "core", "platform")
    assert (refused.value.status, refused.value.reason) == (status, reason)


def test_an_end_before_the_start_is_refused(app):
    Feed().opened(app, "T-000005")
    with pytest.raises(Refused) as refused:
        app.record_outage("T-000005", "core", "platform", ends_at=OPENED - timedelta(seconds=1))
    assert refused.value.reason == "bad_interval"


def maintenance(window_id, feed: Feed, *, emergency=False, scheduled_at=None) -> CloudEvent:
    return feed.event(contracts.MaintenanceScheduled(
        window_id=window_id, starts_at=OPENED, ends_at=OPENED + timedelta(minutes=2),
        services=["core"], customers=["Acme Corp"], all_customers=False, emergency=emergency,
        reason="r", scheduled_at=scheduled_at or OPENED - timedelta(days=2)), source="notifier")


def test_planned_maintenance_is_kept_once_and_excluded(app):
    feed = Feed()
    feed.opened(app, "T-000006")
    app.record_outage("T-000006", "core", "platform", ends_at=OPENED + timedelta(minutes=5))
    event = maintenance(uuid4(), feed)
    assert app.take_maintenance(event) and not app.take_maintenance(event)
    [core, _] = app.figures(Month.parse("2026-12"), "Acme Corp")
    assert core.downtime_seconds == 180 and core.excluded_maintenance_seconds == 120
    assert core.maintenance_rule.startswith("planned maintenance (announced ≥ 24 h ahead) excluded")


def test_emergency_maintenance_counts_by_default(app):
    feed = Feed()
    feed.opened(app, "T-000007")
    app.record_outage("T-000007", "core", "platform", ends_at=OPENED + timedelta(minutes=5))
    app.take_maintenance(maintenance(uuid4(), feed, emergency=True, scheduled_at=OPENED - timedelta(hours=1)))
    [core, _] = app.figures(Month.parse("2026-12"), "Acme Corp")
    assert core.downtime_seconds == 300


def test_a_month_closes_once_per_customer_and_class_and_not_before_it_is_over(app, clock):
    feed = Feed()
    feed.opened(app, "T-000008", customer="Globex Telecom")
    app.record_outage("T-000008", "core", "platform", ends_at=OPENED + timedelta(minutes=4, seconds=28))
    december = Month.parse("2026-12")
    with pytest.raises(Refused) as refused:
        app.close_month(december)
    assert refused.value.reason == "month_not_over"
    clock.set(datetime.fromisoformat("2027-01-04T09:00:00-08:00"))
    reports = app.close_month(december)
    assert sorted((r.customer, r.service_class, r.figure["met"]) for r in reports) == [
        ("Acme Corp", "core", True), ("Acme Corp", "supporting", True),
        ("Globex Telecom", "core", False), ("Globex Telecom", "supporting", True)]
    assert app.close_month(december) == []
    reported = [e for e in published(app) if e.type == "hotline.sla.availability-reported.v1"]
    assert len(reported) == 4
    missed = next(e for e in reported if not e.data.met)
    assert missed.subject == "Globex Telecom/core/2026-12"
    assert (missed.data.downtime_seconds, missed.data.availability, missed.data.target) == (268, "99.9899", "99.99")


def test_the_automatic_close_is_due_from_the_first_business_day_after_the_month(app):
    calendar = SupportCalendar.from_settings()
    at = datetime.fromisoformat
    # 1 Jan 2027 is a holiday, 2-3 Jan a weekend: the first business day is Monday 4 January
    assert app.due_to_close(at("2027-01-03T12:00:00-08:00"), calendar) is None
    assert app.due_to_close(at("2027-01-04T08:00:00-08:00"), calendar) == Month.parse("2026-12")
    assert app.due_to_close(at("2026-12-01T08:00:00-08:00"), calendar) == Month.parse("2026-11")


def test_the_read_model_rebuilt_from_the_log_gives_the_same_report(app, clock):
    feed = Feed()
    feed.opened(app, "T-000010")
    app.record_outage("T-000010", "core", "platform", ends_at=OPENED + timedelta(minutes=9))
    feed.opened(app, "T-000011", priority=2)
    app.record_outage("T-000011", "core", "carrier-connectivity", customers=["Acme Corp", "Globex Telecom"],
                      ends_at=OPENED + timedelta(hours=1))
    app.take_maintenance(maintenance(uuid4(), feed))
    before = [f.as_json() for f in app.figures(Month.parse("2026-12"))]
    app.recorder.replace_spans([])  # the read model deleted
    assert all(f.downtime_seconds == 0 for f in app.figures(Month.parse("2026-12")))
    assert app.rebuild_availability() == 3
    assert [f.as_json() for f in app.figures(Month.parse("2026-12"))] == before


def test_the_rule_in_force_is_a_setting(clock):
    app = SlaTimerApplication(env=popo_env(), clock=clock, availability=AvailabilityPolicy(
        rule=MaintenanceRule(exclude_planned=False)))
    feed = Feed()
    feed.opened(app, "T-000012")
    app.record_outage("T-000012", "core", "platform", ends_at=OPENED + timedelta(minutes=5))
    app.take_maintenance(maintenance(uuid4(), feed))
    [core, _] = app.figures(Month.parse("2026-12"), "Acme Corp")
    assert core.downtime_seconds == 300 and "planned maintenance (announced ≥ 24 h ahead) counted" in core.maintenance_rule


@pytest.mark.parametrize("batched", [False, True])
def test_an_outage_recorded_while_open_is_ended_by_the_first_work_around(app, clock, batched):
    """Its default end is the ticket's first work-around or resolution, also when that comes
    after the outage was recorded; one recorded with its end, or already ended, is left alone."""
    feed = Feed()
    feed.opened(app, "T-000101")
    feed.opened(app, "T-000102", priority=2)
    clock.set(OPENED + timedelta(minutes=2))
    app.record_outage("T-000101", "core", "platform")
    app.record_outage("T-000102", "core", "platform", ends_at=OPENED + timedelta(minutes=1))
    restored = [feed.event(contracts.WorkaroundProvided(
                    ticket_id=contracts.ticket_id_for("T-000101"), ticket_number="T-000101",
                    at=OPENED + timedelta(minutes=4, seconds=19))),
                feed.event(contracts.TicketResolved(
                    ticket_id=contracts.ticket_id_for("T-000102"), ticket_number="T-000102",
                    at=OPENED + timedelta(minutes=9)))]
    if batched:
        app.take_batch(restored)
    else:
        for event in restored:
            app.take(event)
    assert app.outage("T-000101").ends_at == OPENED + timedelta(minutes=4, seconds=19)
    assert app.outage("T-000102").ends_at == OPENED + timedelta(minutes=1)
    feed.changed(app, contracts.TicketResolved, "T-000101", OPENED + timedelta(minutes=20))
    assert app.outage("T-000101").ends_at == OPENED + timedelta(minutes=4, seconds=19)
    corrections = [e.data.correction for e in published(app) if isinstance(e.data, contracts.OutageCorrected)]
    assert corrections == ["restored"]
