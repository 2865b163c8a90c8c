"""Scheduled off-hours work and P4 agreements by email: a request, the NOC's acceptance or
decline (with its reason) and an agreed date each owe one email to the ticket's contact, in its
thread, once however often the event is redelivered; work logged in a slot owes none."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from hotline import contracts
from hotline.eventstore import popo_env
from hotline_notifier.application import NotifierApplication
from test_conversation_owed import CONTACT, NOW, Ticket

SLOT = dict(request_id="OH-000002-1", customer="Acme Corp", start=NOW + timedelta(days=4),
            end=NOW + timedelta(days=4, hours=3), off_hours_minutes=180)


@pytest.fixture
def app() -> NotifierApplication:
    return NotifierApplication(env=popo_env())


def test_the_noc_decision_is_told_to_the_contact_either_way_once(app):
    ticket = Ticket(app)
    ticket.open()
    requested = ticket.publish(ticket.change(contracts.OffHoursRequested, requested_by=CONTACT,
                                             channel="email", **SLOT))
    ticket.publish(ticket.change(contracts.OffHoursAccepted, reason="Bob is on call", **SLOT))
    ticket.publish(ticket.change(contracts.OffHoursDeclined, reason="No engineer free that night",
                                 **{**SLOT, "request_id": "OH-000002-2"}))
    app.take(requested)  # redelivered: nothing new
    [asked] = ticket.owed("offhours-requested")
    [accepted] = ticket.owed("offhours-accepted")
    [declined] = ticket.owed("offhours-declined")
    assert {asked.recipient, accepted.recipient, declined.recipient} == {CONTACT}
    assert "OH-000002-1" in accepted.subject and "Bob is on call" in accepted.body
    assert "targets are unchanged" in accepted.body
    assert "No engineer free that night" in declined.body and "Off-hours:" in declined.body
    assert "NOC will confirm or decline" in asked.body
    assert all(n.headers.get("In-Reply-To") for n in (asked, accepted, declined))


def test_work_logged_in_a_slot_owes_nothing(app):
    ticket = Ticket(app)
    ticket.open()
    ticket.publish(ticket.change(
        contracts.OffHoursWorkLogged, entry_id=str(uuid4()), engineer="alice@hotline.example",
        work_start=SLOT["start"], work_end=SLOT["end"], minutes=180, work_off_hours_minutes=180, **SLOT))
    assert [n.kind for n in ticket.owed()] == ["confirmation"]


def test_an_agreed_date_is_confirmed_and_a_new_one_says_it_changed(app):
    ticket = Ticket(app)
    ticket.open()
    quote = uuid4()
    ticket.publish(ticket.change(contracts.AgreementRecorded, customer="Acme Corp",
                                 target=NOW + timedelta(days=10), quote_id=quote, revision=1,
                                 note="Portal feature X"))
    ticket.publish(ticket.change(contracts.AgreementRecorded, customer="Acme Corp",
                                 target=NOW + timedelta(days=12), revision=2))
    first, second = ticket.owed("agreement")
    assert str(quote) in first.body and "Portal feature X" in first.body
    assert "as agreed with you" in first.body and "has changed" in second.body
