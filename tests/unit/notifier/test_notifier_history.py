"""notifier's part of a ticket's history: each notification of the ticket (from the delivery
index) with every attempt, failed with its reason then sent with the reply; a request's instant
is estimated on the stack's clock from its first attempt; `as_of` keeps what was known then."""

from __future__ import annotations

from datetime import timedelta

from notifier_fakes import NOW, owe

from hotline.eventstore import popo_env
from hotline.history import parse_instant
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.delivery import Delivered, Undelivered
from hotline_notifier.history import part


def test_each_attempt_with_its_result_and_as_of():
    app = NotifierApplication(env=popo_env())
    notification = owe(app, "T-000042")
    owe(app, "T-000043")
    app.record_outcomes([(notification, Undelivered("451 4.3.0 try later"), NOW, NOW)])
    app.record_outcomes([(notification, Delivered("250 2.0.0 Ok: queued"), NOW + timedelta(minutes=5), None)])

    entries = part(app, "T-000042")["entries"]
    assert [e["type"] for e in entries] == [
        "Notification.Requested", "Notification.Failed", "Notification.Sent"]
    requested, failed, sent = entries
    assert requested["summary"] == "confirmation email to noc@acme.example requested: Ticket T-000042 opened"
    assert requested["detail"]["at_estimated"] and "body" not in requested["detail"]
    assert parse_instant(requested["at"]) <= NOW
    assert failed["summary"].endswith("failed (attempt 1), retried: 451 4.3.0 try later")
    assert sent["summary"].endswith("sent (attempt 2): 250 2.0.0 Ok: queued")
    assert sent["at"] == "2026-11-25T18:05:00Z"

    then = part(app, "T-000042", NOW + timedelta(minutes=1))["entries"]
    assert [e["type"] for e in then] == ["Notification.Requested", "Notification.Failed"]
    assert part(app, "T-000099")["entries"] == []
