"""No poison notification: one that cannot be composed or sent is recorded as failed for good,
with the reason, and the next one is still sent; header values are made safe where the email
is composed. Infrastructure failures (the database) are not mistaken for poison."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

import psycopg
import pytest
from notifier_fakes import dispatcher_for, history, owe, serving, until

from hotline_notifier.adapters.smtp import Mailbox, SmtpSender, UnsendableMessage, mailbox, wire_bytes
from hotline_notifier.domain.delivery import Delivered


class Outbox(SmtpSender):
    """Composes for real and keeps what it would send, as the relay would read it back."""

    def __init__(self) -> None:
        super().__init__("smtp://127.0.0.1:1", "Hotline Support <support@hotline.example>")
        self.sent: list[EmailMessage] = []

    async def send(self, message: Message, to: Mailbox) -> Delivered:
        self.sent.append(BytesParser(policy=policy.default).parsebytes(wire_bytes(message)))
        return Delivered("250 OK")


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def dispatcher(outbox):
    return dispatcher_for(outbox)  # type: ignore[arg-type]


async def deliver_all(dispatcher, *notifications) -> None:
    async with serving(dispatcher) as task:
        await until(lambda: not any(dispatcher.app.repository.get(n.id).pending for n in notifications),
                    task=task)


async def test_a_subject_with_a_line_break_is_sent_on_one_line_and_the_next_is_sent_too(dispatcher, outbox):
    app = dispatcher.app
    poison = owe(app, "T-000001", subject="Ticket T-000001: dead line\r\nBcc: everyone@example.com\x00")
    after = owe(app, "T-000002")
    await deliver_all(dispatcher, poison, after)
    assert sorted(m["Subject"] for m in outbox.sent) == [
        "Ticket T-000001: dead line Bcc: everyone@example.com", "Ticket T-000002 opened"]
    assert all(m["Bcc"] is None for m in outbox.sent)
    assert history(app, poison) == [("Requested", None), ("Sent", "250 OK")]


@pytest.mark.parametrize("recipient", ["noc@acme.example\r\nBcc: x@y.example",
                                       "a@b.example, c@d.example", ""])
async def test_an_unsendable_recipient_is_recorded_failed_for_good_and_the_loop_goes_on(
        dispatcher, outbox, recipient):
    app = dispatcher.app
    poison, after = owe(app, "T-000003", recipient=recipient), owe(app, "T-000004")
    await deliver_all(dispatcher, poison, after)
    assert [m["To"] for m in outbox.sent] == ["noc@acme.example"]
    [requested, (failed, error)] = history(app, poison)
    assert failed == "Failed" and "invalid address" in error
    assert app.repository.get(poison.id).given_up


async def test_any_exception_while_handling_one_is_confined_to_it(dispatcher, outbox, monkeypatch):
    app = dispatcher.app
    poison, after = owe(app, "T-000005"), owe(app, "T-000006")
    compose = outbox.compose

    def breaks_on_the_first(**fields):
        if "T-000005" in fields["subject"]:
            raise KeyError("template field missing")
        return compose(**fields)

    monkeypatch.setattr(outbox, "compose", breaks_on_the_first)
    await deliver_all(dispatcher, poison, after)
    assert [m["Subject"] for m in outbox.sent] == ["Ticket T-000006 opened"]
    assert history(app, poison)[-1] == ("Failed", "KeyError: 'template field missing'")
    assert app.repository.get(poison.id).given_up


async def test_a_database_outage_is_not_mistaken_for_a_poison_notification(dispatcher, monkeypatch):
    notification = owe(dispatcher.app, "T-000007")
    tries = []

    def database_down(*args, **kwargs):
        tries.append(args)
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(dispatcher.app, "record_outcomes", database_down)
    dispatcher.record_patience = 1.2  # a sent outcome waits this long for the database
    with pytest.raises(ExceptionGroup) as stopped:
        await dispatcher.serve()
    assert stopped.group_contains(psycopg.OperationalError)
    assert len(tries) >= 2, "the outcome of a send that happened is tried again"
    assert history(dispatcher.app, notification) == [("Requested", None)]


def test_custom_header_names_are_checked_and_values_made_safe(outbox):
    message = outbox.compose(recipient="noc@acme.example", subject="s", body="b", message_id="<m@h>",
                             headers={"X-Hotline-Ticket": "T-1\r\nBcc: x@y.example"})
    assert message["X-Hotline-Ticket"] == "T-1 Bcc: x@y.example" and message["Bcc"] is None
    with pytest.raises(UnsendableMessage):
        outbox.compose(recipient="noc@acme.example", subject="s", body="b", message_id="<m@h>",
                       headers={"Bcc\r\nX-A": "v"})


async def test_an_html_body_goes_as_the_alternative_to_the_text(dispatcher, outbox):
    sent = owe(dispatcher.app, "T-000008", html="<p>We have <b>it</b>.</p>")
    await deliver_all(dispatcher, sent)
    [message] = outbox.sent
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert text.get_content().strip() == "We have it." and "<b>it</b>" in html.get_content()
    assert message["X-Hotline-Notification"] == str(sent.id) and message["X-Hotline-Ticket"] == "T-000008"


@pytest.mark.parametrize("subject", [
    "[T-000001] SLA warning: response clock 75% of its time used – P2 – Acme Corp",
    "Ticket T-000002 opened – Ünïcode Kunde GmbH – Störung der Telefonanlage in der Zentrale, dringend",
])
def test_a_long_subject_with_non_ascii_reads_back_exactly_as_composed(outbox, subject):
    """Folded at 78 by CPython, an en dash after a space read back as two spaces."""
    message = outbox.compose(recipient="noc@acme.example", subject=subject, body="b",
                             message_id="<m@h>")
    wire = wire_bytes(message)
    assert BytesParser(policy=policy.default).parsebytes(wire)["Subject"] == subject
    assert all(len(line) <= 998 for line in wire.split(b"\r\n"))


@pytest.mark.parametrize("recipient", ["Jörg Müller <noc@acme.example>", "noc@acme.example"])
def test_text_with_other_than_ascii_reads_back_exactly_from_a_7bit_wire(outbox, recipient):
    message = outbox.compose(recipient=recipient, subject="Störung – T-000001", body="Grüße\n" * 3,
                             message_id="<m@h>", html="<p>Grüße</p>")
    wire = wire_bytes(message)
    assert wire.isascii()
    read = BytesParser(policy=policy.default).parsebytes(wire)
    assert read["To"] == recipient and read["Subject"] == "Störung – T-000001"
    text, html = read.iter_parts()
    assert text.get_content().splitlines() == ["Grüße"] * 3 and "<p>Grüße</p>" in html.get_content()


def test_an_address_that_is_not_ascii_is_refused():
    with pytest.raises(UnsendableMessage):
        mailbox("jörg@acme.example")


async def test_a_sent_email_whose_outcome_meets_a_database_outage_is_recorded_once_not_sent_again(
        dispatcher, outbox, monkeypatch):
    # PostgreSQL restarted between the relay's 250 and the commit of `Sent`: the dispatcher
    # holds on to the outcome and records it when the database is back; no second send.
    notification = owe(dispatcher.app, "T-000009")
    record, failures = dispatcher.app.record_outcomes, [1, 1]

    def restarting(*args, **kwargs):
        if failures:
            failures.pop()
            raise psycopg.OperationalError("the database system is shutting down")
        return record(*args, **kwargs)

    monkeypatch.setattr(dispatcher.app, "record_outcomes", restarting)
    await deliver_all(dispatcher, notification)
    assert len(outbox.sent) == 1
    assert history(dispatcher.app, notification) == [("Requested", None), ("Sent", "250 OK")]
