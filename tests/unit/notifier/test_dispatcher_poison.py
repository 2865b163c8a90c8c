"""No poison notification: one that cannot be composed or sent is recorded as failed for good,
with the reason, and the next one is still sent; header values are made safe where the email
is composed. Transient failures (the relay, the database) are not mistaken for poison."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage

import psycopg
import pytest

from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline_notifier.adapters.smtp import SmtpSender, TransientDeliveryError, UnsendableMessage
from hotline_notifier.application import NotifierApplication
from hotline_notifier.dispatcher import Dispatcher
from hotline_notifier.domain.notification import Notification

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)


class Outbox(SmtpSender):
    """Composes for real and keeps what it would send."""

    def __init__(self) -> None:
        super().__init__("smtp://127.0.0.1:1", "Hotline Support <support@hotline.example>")
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def owed(app: NotifierApplication, cause: str, **fields: str) -> Notification:
    notification = Notification(**{"cause": cause, "kind": "confirmation", "recipient": "noc@acme.example",
                                   "subject": f"Ticket {cause} opened", "body": "We have it.",
                                   "ticket_number": cause, "trace_context": {}, **fields})
    app.save(notification)
    return notification


def history(app: NotifierApplication, notification: Notification) -> list[tuple[str, object]]:
    return [(type(e).__name__, getattr(e, "error", None))
            for e in app.repository.event_store.get(notification.id)]


@pytest.fixture
def dispatcher() -> Dispatcher:
    app = NotifierApplication(env=popo_env())
    return Dispatcher(app, Outbox(), None, FixedClock(NOW))  # type: ignore[arg-type]  (no positions)


async def test_a_subject_with_a_line_break_is_sent_on_one_line_and_the_next_is_sent_too(dispatcher):
    app, outbox = dispatcher.app, dispatcher.sender
    poison = owed(app, "T-000001", subject="Ticket T-000001: dead line\r\nBcc: everyone@example.com\x00")
    after = owed(app, "T-000002")
    for notification in (poison, after):
        await dispatcher.handle(notification.id)
    assert [m["Subject"] for m in outbox.sent] == [
        "Ticket T-000001: dead line Bcc: everyone@example.com", "Ticket T-000002 opened"]
    assert outbox.sent[0]["Bcc"] is None
    assert [name for name, _ in history(app, poison)] == ["Requested", "Sent"]


@pytest.mark.parametrize("recipient", ["noc@acme.example\r\nBcc: x@y.example",
                                       "a@b.example, c@d.example", ""])
async def test_an_unsendable_recipient_is_recorded_failed_for_good_and_the_loop_goes_on(
        dispatcher, recipient):
    app, outbox = dispatcher.app, dispatcher.sender
    poison, after = owed(app, "T-000003", recipient=recipient), owed(app, "T-000004")
    for notification in (poison, after):
        await dispatcher.handle(notification.id)
    assert [m["To"] for m in outbox.sent] == ["noc@acme.example"]
    [requested, (failed, error)] = history(app, poison)
    assert failed == "Failed" and "invalid address" in error
    assert app.repository.get(poison.id).given_up


async def test_any_exception_while_handling_one_is_confined_to_it(dispatcher, monkeypatch):
    app, outbox = dispatcher.app, dispatcher.sender
    poison, after = owed(app, "T-000005"), owed(app, "T-000006")
    compose = outbox.compose

    def breaks_on_the_first(**fields):
        if "T-000005" in fields["subject"]:
            raise KeyError("template field missing")
        return compose(**fields)

    monkeypatch.setattr(outbox, "compose", breaks_on_the_first)
    for notification in (poison, after):
        await dispatcher.handle(notification.id)
    assert [m["Subject"] for m in outbox.sent] == ["Ticket T-000006 opened"]
    assert history(app, poison)[-1] == ("Failed", "KeyError: 'template field missing'")
    assert app.repository.get(poison.id).given_up
    await dispatcher.handle(poison.id)  # given up: nothing more happens to it
    assert len(history(app, poison)) == 2


async def test_a_database_outage_is_not_mistaken_for_a_poison_notification(dispatcher, monkeypatch):
    notification = owed(dispatcher.app, "T-000007")

    def database_down(*args, **kwargs):
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(dispatcher.app, "record_sent", database_down)
    with pytest.raises(psycopg.OperationalError):
        await dispatcher.handle(notification.id)
    assert [name for name, _ in history(dispatcher.app, notification)] == ["Requested"]


async def test_transient_smtp_failures_are_still_retried_until_sent(dispatcher, monkeypatch):
    notification, outbox = owed(dispatcher.app, "T-000008"), dispatcher.sender
    dispatcher.max_backoff = 0.01
    failures = iter([TransientDeliveryError("421 try later")] * 2)

    async def flaky(message: EmailMessage) -> None:
        if (failure := next(failures, None)) is not None:
            raise failure
        outbox.sent.append(message)

    monkeypatch.setattr(outbox, "send", flaky)
    await dispatcher.handle(notification.id)
    names = [name for name, _ in history(dispatcher.app, notification)]
    assert names == ["Requested", "Failed", "Failed", "Sent"]


def test_custom_header_names_are_checked_and_values_made_safe():
    outbox = Outbox()
    message = outbox.compose(recipient="noc@acme.example", subject="s", body="b", message_id="<m@h>",
                             headers={"X-Hotline-Ticket": "T-1\r\nBcc: x@y.example"})
    assert message["X-Hotline-Ticket"] == "T-1 Bcc: x@y.example" and message["Bcc"] is None
    with pytest.raises(UnsendableMessage):
        outbox.compose(recipient="noc@acme.example", subject="s", body="b", message_id="<m@h>",
                       headers={"Bcc\r\nX-A": "v"})
