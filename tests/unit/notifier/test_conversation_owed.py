"""The ticket's conversation by email, given / when / then: an agent's public reply owes one
threaded email to the ticket's contact, an internal note none, a customer's message none (it
joins the thread); work-around, resolution and closing owe one milestone email each, once
whatever is redelivered or republished; Message-IDs name the ticket."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest
from hotline import contracts
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_notifier.adapters.smtp import SmtpSender
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification, notification_id
from hotline_notifier.domain.ticket_record import THREAD_MAX, TicketRecord
from notifier_fakes import read_back

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
CONTACT, ORIGINAL = "noc@acme.example", "<first@acme.example>"
positions = itertools.count(1)


class Ticket:
    def __init__(self, app: NotifierApplication, number: str = "T-000002") -> None:
        self.app, self.id, self.number = app, uuid4(), number
        self.version = itertools.count(1)

    def publish(self, data, ce_id: str | None = None, position: int | None = None) -> CloudEvent:
        event = CloudEvent(id=ce_id or f"{self.id}:{next(self.version)}", source="/hotline/intake",
                           type=data.ce_type, time=NOW, subject=self.number,
                           position=position or next(positions), data=data)
        self.app.take(event)
        return event

    def open(self, message_id: str | None = ORIGINAL) -> CloudEvent:
        return self.publish(contracts.TicketOpened(
            ticket_id=self.id, ticket_number=self.number, customer="Acme Corp", location="100 Main St",
            issue="Calls drop", description="d", priority=2, channel="email", contact=CONTACT,
            received_at=NOW, off_hours=False, message_id=message_id))

    def comment(self, author_kind: str = "agent", visibility: str = "public", text: str = "On it.",
                message_id: str | None = None, at: datetime = NOW + timedelta(minutes=30)) -> contracts.CommentAdded:
        return contracts.CommentAdded(
            ticket_id=self.id, ticket_number=self.number, at=at, comment_id=uuid4(),
            author=CONTACT if author_kind == "customer" else "alice@hotline.example",
            author_kind=author_kind, visibility=visibility, text=text, message_id=message_id,
            channel="email" if author_kind == "customer" else "http")

    def change(self, model, note: str | None = None, **fields) -> contracts.TicketChange:
        return model(ticket_id=self.id, ticket_number=self.number, at=NOW + timedelta(hours=2),
                     note=note, **fields)

    def owed(self, kind: str | None = None) -> list[Notification]:
        ids = {n.originator_id for n in self.app.recorder.select_notifications(1, 10_000)}
        found = [a for a in map(self.app.repository.get, ids)
                 if isinstance(a, Notification) and a.ticket_number == self.number]
        found.sort(key=lambda n: n.created_on)
        return [n for n in found if kind is None or n.kind == kind]

    def record(self) -> TicketRecord:
        return self.app.repository.get(self.id)


@pytest.fixture
def app() -> NotifierApplication:
    return NotifierApplication(env=popo_env())




def test_message_ids_name_the_ticket_and_are_stable(app):
    ticket = Ticket(app)
    ticket.open()
    [confirmation] = ticket.owed("confirmation")
    assert confirmation.message_id == f"<T-000002.{confirmation.id}@hotline.notifier>"
    assert re.fullmatch(r"<T-\d{6}\.[0-9a-f-]{36}@hotline\.notifier>", confirmation.message_id)
    assert app.repository.get(confirmation.id).message_id == confirmation.message_id  # every load
    assert read_back(confirmation)["Message-ID"] == confirmation.message_id
    unticketed = Notification(cause="c", kind="rejection", recipient="x@y.example", subject="s",
                              body="b", ticket_number=None, trace_context={})
    assert unticketed.message_id == f"<{unticketed.id}@hotline.notifier>"


def test_the_confirmation_answers_the_customers_email(app):
    ticket = Ticket(app)
    ticket.open()
    mail = read_back(ticket.owed("confirmation")[0])
    assert mail["In-Reply-To"] == ORIGINAL and mail["References"] == ORIGINAL


def test_an_agents_public_reply_owes_one_threaded_email_to_the_contact(app):
    ticket = Ticket(app)
    ticket.open()
    [confirmation] = ticket.owed("confirmation")
    comment = ticket.comment(text="We have replaced the line card; please test.")
    event = ticket.publish(comment)
    [reply] = ticket.owed("reply")
    assert reply.id == notification_id(str(comment.comment_id), "reply", CONTACT)
    assert reply.recipient == CONTACT and reply.channel == "email"
    assert reply.subject == "Re: [T-000002] Calls drop"
    assert "We have replaced the line card" in reply.body and "Priority 2" in reply.body
    mail = read_back(reply)
    assert mail["Subject"] == "Re: [T-000002] Calls drop"
    assert mail["In-Reply-To"] == ORIGINAL
    assert mail["References"].split() == [ORIGINAL, confirmation.message_id]
    assert mail["Message-ID"] == f"<T-000002.{reply.id}@hotline.notifier>"
    # Redelivered, or published again under another position: still one.
    assert app.take(event) is False
    ticket.publish(comment, ce_id=event.id)
    assert len(ticket.owed("reply")) == 1
    assert ticket.record().thread == [ORIGINAL, confirmation.message_id, reply.message_id]


def test_the_next_reply_answers_the_customers_latest_message(app):
    ticket = Ticket(app)
    ticket.open()
    [confirmation] = ticket.owed("confirmation")
    ticket.publish(ticket.comment())
    [first] = ticket.owed("reply")
    customer = ticket.comment("customer", text="Still dropping.", message_id="<second@acme.example>")
    ticket.publish(customer)
    assert ticket.owed("reply") == [first] and len(ticket.owed()) == 2  # the customer owes nothing
    ticket.publish(ticket.comment(text="Sending a technician."))
    second = next(n for n in ticket.owed("reply") if n.id != first.id)
    mail = read_back(second)
    assert mail["In-Reply-To"] == "<second@acme.example>"
    assert mail["References"].split() == [ORIGINAL, confirmation.message_id, first.message_id,
                                          "<second@acme.example>"]


def test_without_a_customer_email_a_reply_answers_the_confirmation(app):
    ticket = Ticket(app)
    ticket.open(message_id=None)  # opened over HTTP
    [confirmation] = ticket.owed("confirmation")
    assert read_back(confirmation)["In-Reply-To"] is None
    ticket.publish(ticket.comment())
    mail = read_back(ticket.owed("reply")[0])
    assert mail["In-Reply-To"] == confirmation.message_id
    assert mail["References"] == confirmation.message_id


def test_an_internal_note_is_never_emailed(app):
    ticket = Ticket(app)
    ticket.open()
    before = ticket.record().version
    ticket.publish(ticket.comment(visibility="internal", text="Customer is grumpy."))
    ticket.publish(ticket.comment("customer", visibility="internal", message_id="<x@acme.example>"))
    assert [n.kind for n in ticket.owed()] == ["confirmation"]
    assert ticket.record().version == before


def test_a_reply_to_a_ticket_never_seen_here_owes_nothing(app):
    ticket = Ticket(app)
    ticket.publish(ticket.comment())
    assert ticket.owed() == []


@pytest.mark.parametrize(("model", "kind", "says"), [
    (contracts.WorkaroundProvided, "workaround-provided", "work-around has been provided"),
    (contracts.TicketResolved, "resolved", "Resolution note:\nRebooted the PBX."),
    (contracts.TicketClosed, "closed", "was closed"),
])
def test_each_milestone_owes_one_threaded_email_once(app, model, kind, says):
    ticket = Ticket(app)
    ticket.open()
    [confirmation] = ticket.owed("confirmation")
    event = ticket.publish(ticket.change(model, note="Rebooted the PBX."))
    [milestone] = ticket.owed(kind)
    assert milestone.id == notification_id(event.id, kind, CONTACT)
    assert milestone.recipient == CONTACT and "[T-000002]" in milestone.subject
    assert says in milestone.body
    assert "Acme Corp" in milestone.body and "Priority 2" in milestone.body
    assert "Mon 2026-11-30 11:00 PST" in milestone.body  # 19:00 UTC in the calendar's zone
    assert milestone.html and "T-000002" in milestone.html
    mail = read_back(milestone)
    assert mail["In-Reply-To"] == ORIGINAL
    assert mail["References"].split() == [ORIGINAL, confirmation.message_id]
    assert app.take(event) is False  # redelivered
    ticket.publish(event.data, ce_id=event.id)  # republished under another position
    assert len(ticket.owed(kind)) == 1
    assert ticket.record().thread[-1] == milestone.message_id


def test_a_ticket_resolved_twice_is_told_twice_and_priority_changes_are_followed(app):
    ticket = Ticket(app)
    ticket.open()
    ticket.publish(ticket.change(contracts.PriorityChanged, from_priority=2, priority=1))
    ticket.publish(ticket.change(contracts.TicketResolved, note="first"))
    ticket.publish(ticket.change(contracts.TicketReopened))
    ticket.publish(ticket.change(contracts.TicketResolved, note="second"))
    resolved = ticket.owed("resolved")
    assert len(resolved) == 2 and all("Priority 1" in n.body for n in resolved)
    assert read_back(resolved[1])["References"].split()[-1] == resolved[0].message_id


def test_the_references_are_bounded_keeping_the_first_message(app):
    ticket = Ticket(app)
    ticket.open()
    for i in range(30):
        ticket.publish(ticket.comment("customer", message_id=f"<c{i}@acme.example>"))
    ticket.publish(ticket.comment())
    references = read_back(ticket.owed("reply")[0])["References"].split()
    assert len(references) == THREAD_MAX
    assert references[0] == ORIGINAL and references[-1] == "<c29@acme.example>"


def test_threading_headers_are_sanitised_and_only_those_are_allowed(app):
    sender = SmtpSender("smtp://127.0.0.1:9", "Hotline Support <support@hotline.example>")
    message = sender.compose(recipient=CONTACT, subject="s", body="b", message_id="<m@h>", headers={
        "In-Reply-To": "<a@b>\r\nBcc: x@y.example", "References": "junk <a@b> <c@d>\r\n<e@f>"})
    assert message["In-Reply-To"] == "<a@b>" and message["Bcc"] is None
    assert message["References"] == "<a@b> <c@d> <e@f>"


def test_old_records_and_notifications_still_load(app):
    """Events recorded before the conversation and the headers were kept read with defaults."""
    record = TicketRecord(ticket_id=uuid4(), number="T-000009", customer="Acme Corp", location="x",
                          issue="i", contact=CONTACT, priority=3)
    assert record.thread == [] and record.threading_headers() is None
    for aggregate in (record, Notification(cause="c", kind="rfo", recipient=CONTACT, subject="s",
                                           body="b", ticket_number="T-000009", trace_context={})):
        [created] = aggregate.collect_events()
        for name in ("message_id", "confirmation_id", "headers"):
            created.__dict__.pop(name, None)  # as stored before the fields existed
        stored = app.mapper.to_stored_event(created)
        reloaded = app.mapper.to_domain_event(stored).mutate(None)
        assert isinstance(reloaded.id, UUID)
        assert getattr(reloaded, "headers", None) is None
