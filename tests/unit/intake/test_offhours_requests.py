"""Off-hours support for Priority 2–4, scheduled in advance with the NOC (contract, Off-Hour
Support): requests by an agent or in a customer's email reply, the NOC's decision, work logged
in an accepted slot, what is published, and that no SLA clock moves. P4 agreements' rules too."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from hotline import contracts
from hotline.clock import FixedClock
from hotline_intake.domain import offhours
from hotline_intake.domain.ticket import TicketRuleViolation
from hotline_intake.submissions import Commented
from hotline_sla_timer.domain.changes import change_from_contract
from intake_fakes import ACME_NOC, email, make_app, make_submissions, published

PT = ZoneInfo("America/Los_Angeles")
WED_1000 = datetime(2026, 11, 18, 10, 0, tzinfo=PT)
SAT_2000 = datetime(2026, 11, 21, 20, 0, tzinfo=PT)  # Saturday evening: Off Hours
ALICE = "alice@hotline.example"


def p3_ticket(app, priority: int = 3) -> str:
    return app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield",
                           issue="Voicemail broken", description="d", priority=priority,
                           priority_defaulted=False, channel="http", contact=ACME_NOC).number


def make(at: datetime = WED_1000):
    clock = FixedClock(at)
    return make_app(clock), clock


def test_an_accepted_request_logs_work_and_leaves_clocks_alone():
    app, clock = make()
    number = p3_ticket(app)
    _, request = app.request_off_hours(number, start=SAT_2000, end=SAT_2000 + timedelta(hours=3),
                                       requested_by="Jane at Acme", note="PBX swap")
    assert request == f"OH-{number[2:]}-1" and offhours.ticket_of_request(request) == number
    ticket = app.decide_off_hours(request, accept=True, reason="Bob is on call")
    [found] = offhours.requests_of(ticket)
    assert (found["status"], found["off_hours_minutes"], found["reason"]) == ("accepted", 180, "Bob is on call")

    clock.set(SAT_2000 + timedelta(hours=2))
    done = app.log_work(number, start=SAT_2000 + timedelta(minutes=30),
                        end=SAT_2000 + timedelta(hours=2), engineer=ALICE, note="swapped")
    [entry] = offhours.requests_of(done)[0]["work_log"]
    assert (entry["minutes"], entry["off_hours_minutes"], entry["engineer"]) == (90, 90, ALICE)
    with pytest.raises(TicketRuleViolation) as outside:  # not inside the accepted slot: no review
        app.log_work(number, start=SAT_2000 - timedelta(hours=2), end=SAT_2000 - timedelta(hours=1),
                     engineer=ALICE, note="before the slot")
    assert outside.value.reason == "no_review"

    events = [e for e in published(app) if e.data.ticket_number == number]
    types = [e.type for e in events]
    assert types == ["hotline.ticket.opened.v1", "hotline.ticket.offhours-requested.v1",
                     "hotline.ticket.offhours-accepted.v1", "hotline.ticket.offhours-work-logged.v1"]
    assert all(e.subject == number for e in events)
    requested = events[1].data
    assert isinstance(requested, contracts.OffHoursRequested)
    assert (requested.request_id, requested.requested_by, requested.channel) == (request, "Jane at Acme", "http")
    assert requested.start == SAT_2000 and requested.off_hours_minutes == 180
    # sla-timer reads none of them as a change to any clock
    assert [change_from_contract(e.data) for e in events[1:]] == [None, None, None]
    assert app.get_ticket(number).last_change_at == app.get_ticket(number).received_at


def test_a_declined_request_carries_its_reason_and_a_decision_is_final():
    app, _ = make()
    number = p3_ticket(app, priority=2)
    _, request = app.request_off_hours(number, start=SAT_2000, end=SAT_2000 + timedelta(hours=1),
                                       requested_by="agent")
    with pytest.raises(TicketRuleViolation) as no_reason:
        app.decide_off_hours(request, accept=False, reason="  ")
    assert no_reason.value.reason == "no_reason"
    app.decide_off_hours(request, accept=False, reason="No engineer free that night")
    with pytest.raises(TicketRuleViolation) as again:
        app.decide_off_hours(request, accept=True)
    assert again.value.reason == "already_decided"
    declined = published(app)[-1].data
    assert isinstance(declined, contracts.OffHoursDeclined)
    assert declined.reason == "No engineer free that night"


@pytest.mark.parametrize(("priority", "start", "hours", "reason"), [
    (1, SAT_2000, 2, "p1_needs_no_schedule"),
    (3, WED_1000 - timedelta(hours=1), 2, "not_in_advance"),
    (3, SAT_2000, 0, "bad_interval"),
    (3, SAT_2000, 25, "slot_too_long"),
    (3, datetime(2026, 11, 19, 9, 0, tzinfo=PT), 2, "not_off_hours"),  # Thursday 09–11
    (3, WED_1000 + timedelta(days=91), 2, "too_far_ahead"),
])
def test_a_request_that_breaks_a_rule_is_refused_with_its_reason(priority, start, hours, reason):
    app, _ = make()
    number = p3_ticket(app, priority)
    with pytest.raises(TicketRuleViolation) as refused:
        app.request_off_hours(number, start=start, end=start + timedelta(hours=hours),
                              requested_by="agent")
    assert refused.value.reason == reason and refused.value.message
    assert offhours.requests_of(app.get_ticket(number)) == []


def test_overlapping_requests_are_refused_unless_the_first_was_declined():
    app, _ = make()
    number = p3_ticket(app)
    _, first = app.request_off_hours(number, start=SAT_2000, end=SAT_2000 + timedelta(hours=2),
                                     requested_by="agent")
    with pytest.raises(TicketRuleViolation) as overlap:
        app.request_off_hours(number, start=SAT_2000 + timedelta(hours=1),
                              end=SAT_2000 + timedelta(hours=3), requested_by="agent")
    assert overlap.value.reason == "overlapping_request"
    app.decide_off_hours(first, accept=False, reason="busy")
    _, second = app.request_off_hours(number, start=SAT_2000 + timedelta(hours=1),
                                      end=SAT_2000 + timedelta(hours=3), requested_by="agent")
    assert second.endswith("-2")


@pytest.mark.parametrize("bad", ["OH-1-1", "T-000001", "OH-000001-x", ""])
def test_a_malformed_request_id_is_refused(bad):
    app, _ = make()
    with pytest.raises(TicketRuleViolation) as refused:
        app.decide_off_hours(bad, accept=True)
    assert refused.value.reason == "bad_request_id"


async def test_a_customer_reply_naming_a_slot_requests_it():
    submissions = make_submissions(make(WED_1000)[0])
    number = p3_ticket(submissions.app)
    outcome = await submissions.receive_email(email(
        subject=f"Re: [{number}]", message_id=f"<{uuid4()}@acme.example>",
        body="Please come on Saturday.\nOff-hours: 2026-11-21 20:00 to 2026-11-21 22:30\n"), ACME_NOC)
    assert isinstance(outcome, Commented)
    [request] = offhours.requests_of(submissions.app.get_ticket(number))
    assert (request["start"], request["end"]) == (SAT_2000, SAT_2000 + timedelta(hours=2, minutes=30))
    assert (request["channel"], request["requested_by"], request["status"]) == ("email", ACME_NOC, "requested")


async def test_a_slot_named_by_email_that_breaks_a_rule_is_declined_at_once_with_the_rule():
    submissions = make_submissions(make(WED_1000)[0])
    number = p3_ticket(submissions.app)
    await submissions.receive_email(email(
        subject=f"Re: [{number}]", message_id=f"<{uuid4()}@acme.example>",
        body="Off-hours: 2026-11-19 09:00 to 2026-11-19 10:00\n"), ACME_NOC)
    [request] = offhours.requests_of(submissions.app.get_ticket(number))
    assert request["status"] == "declined" and "Standard Support Hours" in request["reason"]
    assert isinstance(published(submissions.app)[-1].data, contracts.OffHoursDeclined)


async def test_an_unreadable_slot_in_a_reply_is_answered_and_the_reply_kept():
    submissions = make_submissions(make(WED_1000)[0])
    number = p3_ticket(submissions.app)
    outcome = await submissions.receive_email(email(
        subject=f"Re: [{number}]", message_id=f"<{uuid4()}@acme.example>",
        body="Off-hours: next saturday evening to late\n"), ACME_NOC)
    assert isinstance(outcome, Commented)
    assert offhours.requests_of(submissions.app.get_ticket(number)) == []
    rejected = published(submissions.app)[-1].data
    assert isinstance(rejected, contracts.SubmissionRejected)
    assert (rejected.reason, rejected.ticket_number) == ("unreadable_slot", number)


def test_quoted_lines_do_not_name_a_slot():
    assert offhours.slot_in_reply("> Off-hours: 2026-11-21 20:00 to 2026-11-21 22:00", PT) is None
    named = offhours.slot_in_reply("off hours slot: 2026-11-21T20:00:00-08:00 – 2026-11-21T21:00:00-08:00", PT)
    assert named is not None and named.start == SAT_2000 and named.end == SAT_2000 + timedelta(hours=1)


def test_an_agreement_is_for_an_open_p4_and_supersedes_only_before_its_date():
    app, clock = make()
    p3 = p3_ticket(app)
    with pytest.raises(TicketRuleViolation) as not_p4:
        app.change_ticket(p3, "agree", target=WED_1000 + timedelta(days=3))
    assert not_p4.value.reason == "not_p4"
    p4 = p3_ticket(app, priority=4)
    quote = uuid4()
    app.change_ticket(p4, "agree", target=WED_1000 + timedelta(days=3), quote_id=quote, note="portal change")
    agreed = published(app)[-1].data
    assert isinstance(agreed, contracts.AgreementRecorded)
    assert (agreed.target, agreed.quote_id, agreed.revision) == (WED_1000 + timedelta(days=3), quote, 1)
    app.change_ticket(p4, "agree", target=WED_1000 + timedelta(days=5))
    assert published(app)[-1].data.revision == 2
    clock.set(WED_1000 + timedelta(days=6))
    with pytest.raises(TicketRuleViolation) as passed:
        app.change_ticket(p4, "agree", target=WED_1000 + timedelta(days=9))
    assert passed.value.reason == "agreement_passed"
    with pytest.raises(TicketRuleViolation) as past:
        app.change_ticket(p3_ticket(app, priority=4), "agree", target=WED_1000)
    assert past.value.reason == "target_passed"


def test_a_slot_of_centuries_is_refused_at_once():
    app, _ = make()
    number = p3_ticket(app)
    with pytest.raises(TicketRuleViolation) as refused:
        app.request_off_hours(number, start=datetime(277, 11, 7, 7, 58, tzinfo=PT), end=SAT_2000,
                              requested_by="agent")
    assert refused.value.reason == "slot_too_long"
