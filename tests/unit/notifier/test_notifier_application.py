"""NotifierApplication: each upstream event owes its notification exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

from hotline.contracts import SubmissionDuplicate, SubmissionIgnored, SubmissionRejected, TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.delivery import Delivered, Undelivered
from hotline_notifier.domain.notification import Notification, notification_id

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)


def opened_event(position: int, number: str = "T-000001") -> CloudEvent:
    ticket_id = uuid4()
    data = TicketOpened(
        ticket_id=ticket_id, ticket_number=number, customer="Acme Corp",
        location="100 Main St, Springfield", issue="No dial tone", description="dead",
        priority=1, channel="email", contact="noc@acme.example", received_at=NOW, off_hours=True,
    )
    return CloudEvent(id=f"{ticket_id}:1", source="/hotline/intake", type=data.ce_type, time=NOW,
                      subject=number, position=position, data=data)


def owed(app: NotifierApplication) -> list[Notification]:
    """Every notification owed so far (the store also holds the versions and ticket records)."""
    ids = {n.originator_id for n in app.recorder.select_notifications(1, 10_000)}
    return [a for a in map(app.repository.get, ids) if isinstance(a, Notification)]


def test_a_ticket_opened_owes_one_confirmation_to_the_contact():
    app = NotifierApplication(env=popo_env())
    event = opened_event(1)
    assert app.take(event) is True
    notification = app.repository.get(notification_id(str(event.data.ticket_id), "confirmation", event.data.contact))
    assert notification.recipient == "noc@acme.example"
    assert "T-000001" in notification.subject
    assert "T-000001" in notification.body
    assert notification.pending


def test_the_same_event_delivered_twice_owes_one_notification():
    app = NotifierApplication(env=popo_env())
    event = opened_event(1)
    assert app.take(event) is True
    assert app.take(event) is False
    assert [n.kind for n in owed(app)] == ["confirmation"]


def test_a_rejected_email_owes_a_reply_explaining_the_format():
    app = NotifierApplication(env=popo_env())
    data = SubmissionRejected(
        submission_id=uuid4(), channel="email", sender="eve@evil.example", subject="help",
        reason="malformed_subject", detail="the subject has 1 part", received_at=NOW,
        expected_format="CUSTOMER Name – Location Address – Issue Description – Priority Level",
    )
    event = CloudEvent(id="x:1", source="/hotline/intake", type=data.ce_type, time=NOW,
                       subject="x", position=1, data=data)
    assert app.take(event)
    reply = app.repository.get(notification_id(str(data.submission_id), "rejection", data.sender))
    assert reply.recipient == "eve@evil.example"
    assert "the subject has 1 part" in reply.body
    assert "CUSTOMER Name – Location Address – Issue Description – Priority Level" in reply.body


def test_an_http_rejection_owes_no_email():
    app = NotifierApplication(env=popo_env())
    data = SubmissionRejected(
        submission_id=uuid4(), channel="http", sender="x@y.example", reason="unknown_customer",
        detail="no", received_at=NOW, expected_format="f",
    )
    event = CloudEvent(id="x:1", source="/hotline/intake", type=data.ce_type, time=NOW,
                       subject="x", position=3, data=data)
    assert app.take(event) is True
    assert owed(app) == []


def test_delivery_attempts_are_events():
    app = NotifierApplication(env=popo_env())
    event = opened_event(1)
    app.take(event)
    notification = app.repository.get(notification_id(str(event.data.ticket_id), "confirmation", event.data.contact))
    app.record_outcomes([(notification, Undelivered("RCPT 450 4.2.0 Greylisted"), NOW,
                          NOW + timedelta(minutes=10))])
    assert app.deliveries.count_deliveries() == 1
    retried = app.repository.get(notification.id)
    assert retried.pending and retried.next_attempt_at == NOW + timedelta(minutes=10)
    app.record_outcomes([(retried, Delivered("250 2.0.0 Ok: queued"), NOW, None)])
    again = app.repository.get(notification.id)
    assert not again.pending and again.attempts == 2 and again.last_result == "250 2.0.0 Ok: queued"
    kinds = [type(e).__name__ for e in app.repository.event_store.get(notification.id)]
    assert kinds == ["Requested", "Failed", "Sent"]
    assert isinstance(list(app.repository.event_store.get(notification.id))[-1], Notification.Sent)


def rejected_event(position: int = 1, **overrides) -> CloudEvent:
    data = SubmissionRejected(**{
        "submission_id": uuid4(), "channel": "email", "sender": "noc@acme.example",
        "subject": "help", "reason": "malformed_subject", "detail": "no dashes",
        "received_at": NOW, "expected_format": "f", **overrides})
    return CloudEvent(id=f"x:{position}", source="/hotline/intake", type=data.ce_type, time=NOW,
                      subject="x", position=position, data=data)


def test_a_rejection_marked_reply_false_owes_no_email():
    app = NotifierApplication(env=popo_env())
    assert app.take(rejected_event(reply=False)) is True
    assert owed(app) == []


def test_ignored_and_duplicate_submissions_owe_nothing():
    app = NotifierApplication(env=popo_env())
    common = dict(submission_id=uuid4(), channel="email", sender="noc@acme.example",
                  received_at=NOW)
    for position, data in enumerate([
        SubmissionIgnored(**common, reason="auto_submitted", detail="Auto-Submitted: auto-replied"),
        SubmissionDuplicate(**common, original_submission_id=uuid4(), original_outcome="ticket",
                            original_ticket_number="T-000001"),
    ], start=1):
        event = CloudEvent(id=f"x:{position}", source="/hotline/intake", type=data.ce_type,
                           time=NOW, subject="x", position=position, data=data)
        assert app.take(event) is True
    assert owed(app) == []


def test_subject_lines_are_one_line_whatever_the_event_carries():
    app = NotifierApplication(env=popo_env())
    opened = opened_event(1)
    opened = CloudEvent(**{**opened.__dict__, "data": opened.data.model_copy(
        update={"issue": "Echo\r\nBcc: victim@example.com\x00" + "x" * 300})})
    rejected = rejected_event(subject="help\nBcc: victim@example.com", position=2)
    app.take(opened)
    app.take(rejected)
    for cause, kind, recipient in ((opened.data.ticket_id, "confirmation", opened.data.contact),
                                   (rejected.data.submission_id, "rejection", rejected.data.sender)):
        subject = app.repository.get(notification_id(str(cause), kind, recipient)).subject
        assert "Bcc: victim@example.com" in subject
        assert "\n" not in subject and "\x00" not in subject and len(subject) <= 250


def test_a_dmarc_rejection_explains_the_failed_authentication():
    app = NotifierApplication(env=popo_env())
    event = rejected_event(reason="dmarc_fail", detail="failed DMARC")
    app.take(event)
    reply = app.repository.get(notification_id(str(event.data.submission_id), "rejection", event.data.sender))
    assert "failed sender authentication (DMARC)" in reply.body
    assert "registered with us" in reply.body
