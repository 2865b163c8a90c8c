"""An agent's public reply is the first response (`HOTLINE_SLA_REPLY_IS_RESPONSE`, default on):
it stops the response clock at its `at`, once; internal notes and customer messages change no
clock, and with the setting off a reply changes none either."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline.sla.settings import SlaSettings
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.domain.changes import Change, change_from_contract

UTC = timezone.utc
MONDAY_9 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 09:00 Pacific
REPLY_AT = MONDAY_9 + timedelta(hours=2)
NUMBER = "T-000077"
TICKET = contracts.ticket_id_for(NUMBER)
positions = iter(range(1, 10_000))


def comment(author_kind: str = "agent", visibility: str = "public", at: datetime = REPLY_AT):
    return contracts.CommentAdded(
        ticket_id=TICKET, ticket_number=NUMBER, at=at, recorded_at=at, comment_id=uuid4(),
        author="alice@hotline.example" if author_kind == "agent" else "noc@acme.example",
        author_kind=author_kind, visibility=visibility, text="On it.")


def send(app: SlaTimerApplication, data: contracts.EventBody) -> bool:
    position = next(positions)
    return app.take(CloudEvent(id=f"{TICKET}:{position}", source="/hotline/intake", type=data.ce_type,
                               time=MONDAY_9, subject=NUMBER, position=position, data=data))


def opened(app: SlaTimerApplication) -> None:
    send(app, contracts.TicketOpened(
        ticket_id=TICKET, ticket_number=NUMBER, customer="Acme Corp", location="x", issue="i",
        description="d", priority=2, channel="email", contact="noc@acme.example",
        received_at=MONDAY_9, off_hours=False))


def response_met(app: SlaTimerApplication) -> list[datetime]:
    return [e.stopped_at for e in app.history(TICKET)
            if type(e).__name__ == "DeadlineMet" and e.clock == "response"]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(REPLY_AT + timedelta(minutes=1))


def test_change_from_contract_maps_only_public_agent_replies():
    assert change_from_contract(comment()) == Change("first-response", REPLY_AT, None, REPLY_AT)
    assert change_from_contract(comment(visibility="internal")) is None
    assert change_from_contract(comment("customer")) is None
    assert change_from_contract(comment("customer", "internal")) is None
    assert change_from_contract(comment(), reply_is_response=False) is None


def test_a_public_agent_reply_stops_the_response_clock_at_its_instant(clock):
    app = SlaTimerApplication(env=popo_env(), clock=clock)
    opened(app)
    send(app, comment())
    assert response_met(app) == [REPLY_AT]
    # A later reply, or a first response recorded afterwards, changes nothing.
    send(app, comment(at=REPLY_AT + timedelta(minutes=1)))
    send(app, contracts.FirstResponseGiven(ticket_id=TICKET, ticket_number=NUMBER,
                                           at=REPLY_AT + timedelta(minutes=1)))
    assert response_met(app) == [REPLY_AT]
    assert not [e for e in app.history(TICKET) if type(e).__name__ == "DeadlineRetracted"]


def test_internal_notes_and_customer_messages_stop_no_clock(clock):
    app = SlaTimerApplication(env=popo_env(), clock=clock)
    opened(app)
    send(app, comment(visibility="internal"))
    send(app, comment("customer"))
    assert response_met(app) == []
    assert [c.kind for c in app.clocks(TICKET).changes] == ["opened"]


def test_with_the_setting_off_a_reply_is_no_response(clock, monkeypatch):
    monkeypatch.setenv("HOTLINE_SLA_REPLY_IS_RESPONSE", "false")
    assert SlaSettings().reply_is_response is False
    app = SlaTimerApplication(env=popo_env(), clock=clock)
    opened(app)
    send(app, comment())
    assert response_met(app) == []
    assert [c.kind for c in app.clocks(TICKET).changes] == ["opened"]


def test_a_batch_applies_the_setting_too(clock):
    app = SlaTimerApplication(env=popo_env(), clock=clock, reply_is_response=False)
    opened(app)
    position = next(positions)
    data = comment()
    app.take_batch([CloudEvent(id=f"{TICKET}:{position}", source="/hotline/intake", type=data.ce_type,
                               time=MONDAY_9, subject=NUMBER, position=position, data=data)])
    assert response_met(app) == []
