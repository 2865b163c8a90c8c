"""Outage reviews in intake: a P1 in Off Hours opens its review with the ticket; work is logged
with its off-hours part measured on the support calendar; the outcome is recorded after
resolution and superseded by a re-review; what is published on hotline.reviews.v1."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from hotline.calendar import SupportCalendar
from hotline.clock import FixedClock
from hotline.contracts import ReviewOpened, ReviewRecorded, WorkLogged, topics
from hotline.eventstore import popo_env
from hotline_intake.adapters.ticket_numbers import InMemoryTicketNumbers
from hotline_intake.application import IntakeApplication
from hotline_intake.domain.ticket import TicketRuleViolation
from hotline_intake.review_publication import to_cloud_event
from hotline_intake.reviews import NoReview

PT = ZoneInfo("America/Los_Angeles")
SATURDAY_0200 = datetime(2026, 11, 28, 2, 0, tzinfo=PT)
WEDNESDAY_1000 = datetime(2026, 11, 18, 10, 0, tzinfo=PT)
ALICE, BOB = "alice@hotline.example", "bob@hotline.example"


def app_at(at: datetime) -> tuple[IntakeApplication, FixedClock]:
    clock = FixedClock(at)
    return IntakeApplication(env=popo_env(), numbers=InMemoryTicketNumbers(),
                             calendar=SupportCalendar(), clock=clock), clock


def open_ticket(app: IntakeApplication, priority: int) -> str:
    return app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield",
                           issue="Outage", description="all lines down", priority=priority,
                           priority_defaulted=False, channel="email",
                           contact="noc@acme.example").number


def published(app: IntakeApplication) -> list:
    events = []
    for notification in app.recorder.select_notifications(start=1, limit=10_000):
        event = to_cloud_event(app.mapper.to_domain_event(notification), notification.id)
        if event is not None:
            events.append(event)
    return events


def test_a_p1_opened_in_off_hours_opens_its_review_with_the_ticket():
    app, _ = app_at(SATURDAY_0200)
    number = open_ticket(app, 1)
    review = app.get_review(number)
    assert review.because == "p1-off-hours" and review.opened_at == SATURDAY_0200
    [opened] = published(app)
    assert isinstance(opened.data, ReviewOpened) and opened.subject == number
    assert opened.data.ticket_number == number and opened.data.customer == "Acme Corp"
    assert ReviewOpened.ce_type == "hotline.review.opened.v1"


@pytest.mark.parametrize(("at", "priority"), [(WEDNESDAY_1000, 1), (SATURDAY_0200, 2)])
def test_a_p1_in_support_hours_or_a_p2_off_hours_opens_none(at, priority):
    app, _ = app_at(at)
    number = open_ticket(app, priority)
    with pytest.raises(NoReview):
        app.get_review(number)
    assert published(app) == []


def test_a_ticket_raised_to_p1_in_off_hours_opens_one_and_only_once():
    app, clock = app_at(datetime(2026, 11, 18, 17, 0, tzinfo=PT))
    number = open_ticket(app, 2)
    clock.set(datetime(2026, 11, 18, 19, 0, tzinfo=PT))  # after 18:00: Off Hours
    app.change_ticket(number, "priority", priority=1)
    assert app.get_review(number).because == "raised-to-p1-off-hours"
    app.change_ticket(number, "priority", priority=2)
    app.change_ticket(number, "priority", priority=1)
    assert len([e for e in published(app) if isinstance(e.data, ReviewOpened)]) == 1


def test_raised_to_p1_in_support_hours_opens_none_but_an_agent_can():
    app, _ = app_at(WEDNESDAY_1000)
    number = open_ticket(app, 2)
    app.change_ticket(number, "priority", priority=1)
    with pytest.raises(NoReview):
        app.get_review(number)
    assert app.open_review(number, note="customer asked").because == "by-hand"
    with pytest.raises(TicketRuleViolation) as refused:
        app.open_review(number)
    assert refused.value.reason == "review_exists"


def test_only_the_off_hours_part_of_an_entry_counts():
    app, clock = app_at(WEDNESDAY_1000)
    number = app.open_ticket(customer="Acme Corp", location="x", issue="i", description="d",
                             priority=1, priority_defaulted=False, channel="http",
                             contact="noc@acme.example").number
    app.open_review(number)
    clock.set(datetime(2026, 11, 18, 20, 0, tzinfo=PT))
    review = app.log_work(number, start=datetime(2026, 11, 18, 17, 30, tzinfo=PT),
                          end=datetime(2026, 11, 18, 18, 30, tzinfo=PT), engineer=ALICE,
                          note="reset the trunk")
    [entry] = review.work_log
    assert (entry["minutes"], entry["off_hours_minutes"]) == (60, 30)


def test_a_saturday_entry_is_all_off_hours_and_a_started_minute_counts():
    app, clock = app_at(SATURDAY_0200)
    number = open_ticket(app, 1)
    clock.advance(timedelta(hours=4))
    review = app.log_work(number, start=SATURDAY_0200, end=SATURDAY_0200 + timedelta(hours=2, minutes=30, seconds=1),
                          engineer=ALICE, note="replaced the line card")
    assert review.work_log[0]["off_hours_minutes"] == 151
    [_, logged] = published(app)
    assert isinstance(logged.data, WorkLogged) and logged.data.entry.off_hours_minutes == 151


def test_one_engineers_entries_may_not_overlap_but_two_engineers_may():
    app, clock = app_at(SATURDAY_0200)
    number = open_ticket(app, 1)
    clock.advance(timedelta(hours=5))
    app.log_work(number, start=SATURDAY_0200, end=SATURDAY_0200 + timedelta(hours=2), engineer=ALICE, note="a")
    app.log_work(number, start=SATURDAY_0200, end=SATURDAY_0200 + timedelta(hours=2), engineer=BOB, note="b")
    app.log_work(number, start=SATURDAY_0200 + timedelta(hours=2), end=SATURDAY_0200 + timedelta(hours=3),
                 engineer=ALICE, note="touching is not overlapping")
    with pytest.raises(TicketRuleViolation) as refused:
        app.log_work(number, start=SATURDAY_0200 + timedelta(hours=1), end=SATURDAY_0200 + timedelta(hours=4),
                     engineer="Alice@Hotline.example", note="overlaps")
    assert refused.value.reason == "overlapping_work"
    assert len(app.get_review(number).work_log) == 3


@pytest.mark.parametrize(("start", "end", "reason"), [
    (timedelta(hours=1), timedelta(hours=1), "bad_interval"),
    (timedelta(hours=2), timedelta(hours=1), "bad_interval"),
    (timedelta(hours=1), timedelta(hours=9), "in_future"),
    (timedelta(hours=-1), timedelta(hours=1), "before_ticket"),
])
def test_an_impossible_entry_is_refused_with_its_reason(start, end, reason):
    app, clock = app_at(SATURDAY_0200)
    number = open_ticket(app, 1)
    clock.advance(timedelta(hours=5))
    with pytest.raises(TicketRuleViolation) as refused:
        app.log_work(number, start=SATURDAY_0200 + start, end=SATURDAY_0200 + end, engineer=ALICE, note="n")
    assert refused.value.reason == reason


def test_work_without_a_review_is_refused_with_how_to_open_one():
    app, _ = app_at(WEDNESDAY_1000)
    number = open_ticket(app, 3)
    with pytest.raises(TicketRuleViolation) as refused:
        app.log_work(number, start=WEDNESDAY_1000, end=WEDNESDAY_1000, engineer=ALICE, note="n")
    assert refused.value.reason == "no_review" and "hotline review open" in refused.value.message


def test_the_outcome_waits_for_resolution_and_a_re_review_supersedes_it():
    app, clock = app_at(SATURDAY_0200)
    number = open_ticket(app, 1)
    clock.advance(timedelta(hours=3))
    app.log_work(number, start=SATURDAY_0200, end=SATURDAY_0200 + timedelta(hours=2, minutes=30),
                 engineer=ALICE, note="swapped the customer's PSU")
    with pytest.raises(TicketRuleViolation) as refused:
        app.record_review(number, outcome="customer-equipment", reason="PSU")
    assert refused.value.reason == "not_resolved"
    app.change_ticket(number, "resolve")
    app.record_review(number, outcome="customer-equipment", reason="the customer's PBX PSU failed")
    app.record_review(number, outcome="provider-at-fault", reason="our firmware rebooted it")
    review = app.get_review(number)
    assert [o["outcome"] for o in review.outcomes] == ["customer-equipment", "provider-at-fault"]
    first, second = [e.data for e in published(app) if isinstance(e.data, ReviewRecorded)]
    assert (first.revision, first.provider_at_fault, first.off_hours_minutes) == (1, False, 150)
    assert (second.revision, second.provider_at_fault) == (2, True)
    assert [e.engineer for e in first.work_log] == [ALICE]
    assert all(e.type.startswith("hotline.review.") for e in published(app))
    assert ReviewRecorded.model_fields["outcome"] is not None and topics.REVIEWS == "hotline.reviews.v1"


def test_an_unknown_outcome_or_an_empty_reason_is_refused():
    app, clock = app_at(SATURDAY_0200)
    number = open_ticket(app, 1)
    clock.advance(timedelta(hours=1))
    app.change_ticket(number, "resolve")
    for outcome, reason, code in (("gremlins", "r", "bad_outcome"), ("carrier", "  ", "no_reason")):
        with pytest.raises(TicketRuleViolation) as refused:
            app.record_review(number, outcome=outcome, reason=reason)
        assert refused.value.reason == code


def test_review_events_are_not_published_on_the_tickets_topic():
    from hotline_intake.publication import to_cloud_event as ticket_event

    app, _ = app_at(SATURDAY_0200)
    open_ticket(app, 1)
    types = [ticket_event(app.mapper.to_domain_event(n), n.id)
             for n in app.recorder.select_notifications(start=1, limit=100)]
    assert [t.type for t in types if t is not None] == ["hotline.ticket.opened.v1"]
    assert datetime.now(timezone.utc) > SATURDAY_0200  # the fixture instant is in the past
