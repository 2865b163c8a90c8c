"""Ticket lifecycle: given / when / then — each command records its event, or is refused
with a reason when it does not fit the ticket's state."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from hotline.calendar import SupportCalendar
from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline_intake.adapters.ticket_numbers import InMemoryTicketNumbers
from hotline_intake.application import IntakeApplication
from hotline_intake.domain.ticket import TicketRuleViolation
from hotline_intake.publication import to_cloud_event

OPENED = datetime(2026, 11, 18, 18, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(OPENED)


@pytest.fixture
def app(clock) -> IntakeApplication:
    return IntakeApplication(env=popo_env(), numbers=InMemoryTicketNumbers(),
                             calendar=SupportCalendar(), clock=clock)


@pytest.fixture
def number(app) -> str:
    return app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield",
                           issue="Outage", description="down", priority=2,
                           priority_defaulted=False, channel="http",
                           contact="noc@acme.example").number


def given(app, clock, number, *commands):
    for command in commands:
        clock.advance(timedelta(minutes=10))
        app.change_ticket(number, *command) if isinstance(command, tuple) else app.change_ticket(number, command)


def events(app, number):
    ticket = app.get_ticket(number)
    return [type(e).__name__ for e in app.repository.event_store.get(ticket.id)]


def test_full_lifecycle_records_each_event(app, clock, number):
    given(app, clock, number, "first-response", "waiting-on-customer", "customer-responded",
          "workaround", "resolve", "rfo", "reopen", "resolve", "close")
    assert events(app, number) == [
        "Opened", "FirstResponseGiven", "WaitingOnCustomer", "CustomerResponded",
        "WorkaroundProvided", "Resolved", "RfoDelivered", "Reopened", "Resolved", "Closed"]
    assert app.get_ticket(number).status == "closed"


def test_priority_change_records_from_and_to(app, clock, number):
    clock.advance(timedelta(minutes=5))
    app.change_ticket(number, "priority", priority=1, by="agent@hotline.example")
    ticket = app.get_ticket(number)
    assert ticket.priority == 1
    changed = list(app.repository.event_store.get(ticket.id))[-1]
    cloud_event = to_cloud_event(changed, position=9)
    assert cloud_event.type == "hotline.ticket.priority-changed.v1"
    assert (cloud_event.data.from_priority, cloud_event.data.priority) == (2, 1)
    assert cloud_event.data.ticket_number == number and cloud_event.subject == number
    assert cloud_event.data.by == "agent@hotline.example"


@pytest.mark.parametrize(("history", "command", "reason"), [
    (["first-response"], "first-response", "already_responded"),
    ([], "reopen", "not_resolved"),
    ([], "close", "not_resolved"),
    (["resolve"], "resolve", "resolved"),
    (["resolve", "close"], "first-response", "closed"),
    (["resolve", "close"], "reopen", "not_resolved"),
    ([], "customer-responded", "not_waiting"),
    (["waiting-on-customer"], "waiting-on-customer", "already_waiting"),
    ([], "rfo", "outage_not_restored"),
    (["resolve", "rfo"], "rfo", "rfo_already_delivered"),
    (["workaround"], "workaround", "already_worked_around"),
    ([], ("priority",), "same_priority"),
])
def test_commands_that_do_not_fit_are_refused_with_a_reason(app, clock, number, history, command, reason):
    given(app, clock, number, *history)
    clock.advance(timedelta(minutes=1))
    with pytest.raises(TicketRuleViolation) as refused:
        if command == ("priority",):
            app.change_ticket(number, "priority", priority=2)
        else:
            app.change_ticket(number, command)
    assert refused.value.reason == reason
    assert number in refused.value.message or refused.value.message


def test_changes_are_recorded_in_time_order_and_never_in_the_future(app, clock, number):
    with pytest.raises(TicketRuleViolation) as future:
        app.change_ticket(number, "first-response", at=OPENED + timedelta(hours=1))
    assert future.value.reason == "in_future"
    clock.advance(timedelta(minutes=10))
    with pytest.raises(TicketRuleViolation) as early:
        app.change_ticket(number, "first-response", at=OPENED - timedelta(minutes=1))
    assert early.value.reason == "out_of_order"
    app.change_ticket(number, "first-response", at=OPENED + timedelta(minutes=5))
    assert app.get_ticket(number).responded_at == OPENED + timedelta(minutes=5)


def test_a_change_may_be_back_dated_up_to_the_limit_and_records_both_instants(app, clock, number):
    clock.advance(timedelta(hours=2))
    with pytest.raises(TicketRuleViolation) as refused:
        app.change_ticket(number, "first-response", at=OPENED + timedelta(minutes=100))
    assert refused.value.reason == "too_far_back"
    assert "15m" in refused.value.message and "HOTLINE_INTAKE_MAX_BACKDATE" in refused.value.message
    at = OPENED + timedelta(minutes=105)  # exactly 15 minutes back: allowed
    app.change_ticket(number, "first-response", at=at)
    ticket = app.get_ticket(number)
    responded = list(app.repository.event_store.get(ticket.id))[-1]
    body = to_cloud_event(responded, 2).data
    assert (body.at, body.recorded_at) == (at, OPENED + timedelta(hours=2))


def test_the_back_dating_limit_is_a_setting(clock):
    from hotline_intake.settings import IntakeSettings

    assert IntakeSettings(max_backdate="1h").max_backdate == timedelta(hours=1)
    app = IntakeApplication(env=popo_env(), numbers=InMemoryTicketNumbers(), calendar=SupportCalendar(),
                            clock=clock, max_backdate=timedelta(hours=1))
    number = app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield", issue="x",
                             description="y", priority=2, priority_defaulted=False, channel="http",
                             contact="noc@acme.example").number
    clock.advance(timedelta(minutes=50))
    app.change_ticket(number, "first-response", at=OPENED)


def test_a_first_response_can_still_be_recorded_after_a_fix(app, clock, number):
    given(app, clock, number, "workaround", "resolve")
    clock.advance(timedelta(minutes=1))
    app.change_ticket(number, "first-response")
    assert app.get_ticket(number).responded_at == clock.now()


def test_p4_has_no_rfo(app, clock):
    number = app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield",
                             issue="Feature", description="please", priority=4,
                             priority_defaulted=False, channel="http",
                             contact="noc@acme.example").number
    given(app, clock, number, "resolve")
    with pytest.raises(TicketRuleViolation, match="Priority 4"):
        app.change_ticket(number, "rfo")


def test_every_lifecycle_event_is_published_under_its_contract_type(app, clock, number):
    given(app, clock, number, "first-response", "waiting-on-customer", "customer-responded",
          "workaround", "resolve", "rfo", "reopen", "resolve", "close")
    ticket = app.get_ticket(number)
    types = [to_cloud_event(e, i).type for i, e in enumerate(app.repository.event_store.get(ticket.id), 1)]
    assert types == [
        "hotline.ticket.opened.v1", "hotline.ticket.responded.v1",
        "hotline.ticket.waiting-on-customer.v1", "hotline.ticket.customer-responded.v1",
        "hotline.ticket.workaround-provided.v1", "hotline.ticket.resolved.v1",
        "hotline.ticket.rfo-delivered.v1", "hotline.ticket.reopened.v1",
        "hotline.ticket.resolved.v1", "hotline.ticket.closed.v1"]


@pytest.mark.parametrize("command", ["first-response", "workaround", "resolve",
                                     "waiting-on-customer", ("priority", 1)])
def test_every_lifecycle_event_records_its_actor(app, clock, number, command):
    clock.advance(timedelta(minutes=5))
    name, *arguments = command if isinstance(command, tuple) else (command,)
    extra = {"priority": arguments[0]} if arguments else {}
    app.change_ticket(number, name, actor={"name": "ci-bot", "role": "agent"}, **extra)
    changed = list(app.repository.event_store.get(app.get_ticket(number).id))[-1]
    assert changed.actor == {"name": "ci-bot", "role": "agent"}
    assert to_cloud_event(changed, position=3).data.actor.model_dump() == changed.actor


def test_without_an_actor_the_event_has_none(app, clock, number):
    clock.advance(timedelta(minutes=5))
    app.change_ticket(number, "first-response")
    changed = list(app.repository.event_store.get(app.get_ticket(number).id))[-1]
    assert to_cloud_event(changed, position=3).data.actor is None
