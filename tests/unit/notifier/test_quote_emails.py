"""Priority 4 fee quotes by email, given / when / then: a quote created owes one email (kind
`quote`) to the contact it names, with the amount, what it is for, its expiry in the support
calendar's zone and how to approve it; a decision owes one short note (kind `quote-decision`);
each once per (quote, recipient, kind) whatever is redelivered or republished; a quote without
a contact owes nothing. Threaded into the ticket's conversation when its opening was seen."""

from __future__ import annotations

import itertools
import logging
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest
from hotline import contracts
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification, notification_id
from notifier_fakes import read_back

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
EXPIRES = datetime(2026, 12, 15, 7, 59, tzinfo=timezone.utc)  # Mon 2026-12-14 23:59 PST
CONTACT, ORIGINAL = "noc@acme.example", "<first@acme.example>"
positions = itertools.count(1)


class Quote:
    def __init__(self, app: NotifierApplication, number: str = "T-000123",
                 contact: str | None = CONTACT) -> None:
        self.app, self.number, self.contact = app, number, contact
        self.ticket_id, self.id = uuid4(), uuid4()
        self.version = itertools.count(1)

    def publish(self, data, source: str = "/hotline/billing", ce_id: str | None = None,
                position: int | None = None) -> CloudEvent:
        event = CloudEvent(id=ce_id or f"{self.id}:{next(self.version)}", source=source,
                           type=data.ce_type, time=NOW, subject=self.number,
                           position=position or next(positions), data=data)
        self.app.take(event)
        return event

    def open_ticket(self) -> CloudEvent:
        return self.publish(contracts.TicketOpened(
            ticket_id=self.ticket_id, ticket_number=self.number, customer="Acme Corp",
            location="100 Main St", issue="Add a hunt group", description="d", priority=4,
            channel="email", contact=CONTACT, received_at=NOW, off_hours=False,
            message_id=ORIGINAL), source="/hotline/intake", ce_id=f"{self.ticket_id}:1")

    def fields(self) -> dict:
        return dict(quote_id=self.id, ticket_id=self.ticket_id, ticket_number=self.number,
                    customer="Acme Corp", contact=self.contact, amount="250.00",
                    description="Configure a hunt group of 8 lines at 100 Main St.",
                    expires_at=EXPIRES)

    def created(self) -> contracts.QuoteCreated:
        return contracts.QuoteCreated(**self.fields(), created_at=NOW)

    def decided(self, decision: str) -> contracts.QuoteDecided:
        return contracts.QuoteDecided(**self.fields(), decision=decision,
                                      decided_at=NOW + timedelta(days=1))

    def owed(self, kind: str | None = None) -> list[Notification]:
        ids = {n.originator_id for n in self.app.recorder.select_notifications(1, 10_000)}
        found = [a for a in map(self.app.repository.get, ids)
                 if isinstance(a, Notification) and a.ticket_number == self.number]
        found.sort(key=lambda n: n.created_on)
        return [n for n in found if kind is None or n.kind == kind]


@pytest.fixture
def app() -> NotifierApplication:
    return NotifierApplication(env=popo_env())




def test_a_quote_owes_one_email_to_the_contact_with_amount_expiry_and_how_to_approve(app):
    quote = Quote(app)
    quote.publish(quote.created())
    [sent] = quote.owed()
    assert sent.kind == "quote" and sent.recipient == CONTACT and sent.channel == "email"
    assert sent.id == notification_id(str(quote.id), "quote", CONTACT)
    assert sent.subject == "[T-000123] Quote for your request: USD 250.00"
    assert "USD 250.00" in sent.body
    assert "Configure a hunt group of 8 lines" in sent.body
    assert "Mon 2026-12-14 23:59 PST (America/Los_Angeles)" in sent.body
    assert f"hotline billing quote approve {quote.id}" in sent.body
    assert "reply to this email" in sent.body and "NOC" in sent.body
    assert sent.html and "USD 250.00" in sent.html and "Mon 2026-12-14 23:59 PST" in sent.html
    mail = read_back(sent)
    assert mail["Subject"] == sent.subject
    assert mail["Message-ID"] == f"<T-000123.{sent.id}@hotline.notifier>"  # replies find the ticket
    assert mail["In-Reply-To"] is None  # the ticket's opening was never seen here


def test_a_quote_taken_again_owes_nothing_new(app):
    quote = Quote(app)
    event = quote.publish(quote.created())
    assert app.take(event) is False  # redelivered: same position
    quote.publish(quote.created(), ce_id=event.id)  # republished under another position
    quote.publish(quote.created())  # and under another ce_id
    assert len(quote.owed("quote")) == 1


def test_a_quote_on_a_known_ticket_joins_its_conversation(app):
    quote = Quote(app)
    quote.open_ticket()
    [confirmation] = quote.owed("confirmation")
    event = quote.publish(quote.created())
    [sent] = quote.owed("quote")
    assert "Priority 4" in sent.body and "Add a hunt group" in sent.body
    mail = read_back(sent)
    assert mail["In-Reply-To"] == ORIGINAL
    assert mail["References"].split() == [ORIGINAL, confirmation.message_id]
    record = app.repository.get(quote.ticket_id)
    assert record.thread[-1] == sent.message_id
    version = record.version
    quote.publish(event.data, ce_id=event.id)  # republished: the record changes no more
    assert app.repository.get(quote.ticket_id).version == version
    assert len(quote.owed("quote")) == 1


@pytest.mark.parametrize(("decision", "says"), [
    ("approved", "was approved at Tue 2026-12-01 09:00 PST"),
    ("rejected", "was rejected at Tue 2026-12-01 09:00 PST.\nNothing is charged"),
    ("expired", "expired unanswered at Tue 2026-12-01 09:00 PST"),
])
def test_a_decision_owes_one_short_note(app, decision, says):
    quote = Quote(app)
    quote.publish(quote.created())
    event = quote.publish(quote.decided(decision))
    [note] = quote.owed("quote-decision")
    assert note.recipient == CONTACT
    assert note.id == notification_id(str(quote.id), "quote-decision", CONTACT)
    assert note.subject == f"[T-000123] Quote {decision}: USD 250.00"
    assert says in note.body and "hunt group" in note.body
    assert note.html and decision in note.html
    assert app.take(event) is False
    quote.publish(event.data, ce_id=event.id)
    assert len(quote.owed("quote-decision")) == 1 and len(quote.owed("quote")) == 1


def test_a_quote_without_a_contact_owes_nothing(app, caplog):
    quote = Quote(app, contact=None)
    with caplog.at_level(logging.INFO, logger="hotline_notifier.owing.quotes"):
        assert quote.publish(quote.created()) is not None
        quote.publish(quote.decided("approved"))
    assert quote.owed() == []
    assert "names no contact" in caplog.text
