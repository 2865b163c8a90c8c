"""Escalations given / when / then: an SLA deadline event owes exactly the shipped policy's
notifications, once per recipient whatever is redelivered or republished; a retraction owes a
"disregard" note to exactly whoever was told of the retracted event."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from hotline import contracts
from hotline.calendar import default_calendar
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_notifier.application import NotifierApplication
from hotline_notifier.domain.notification import Notification
from hotline_notifier.escalation.policy import EscalationPolicyError, load_policy

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
WEBHOOK = "http://127.0.0.1:9/pages"
QUEUE, DUTY, CONTACT = "support-queue@hotline.example", "duty-manager@hotline.example", "noc@acme.example"
positions = itertools.count(1)


class Ticket:
    def __init__(self, app: NotifierApplication, priority: int) -> None:
        self.app, self.priority, self.id, self.number = app, priority, uuid4(), "T-000042"
        self.sla_version = itertools.count(2)

    def publish(self, data, source: str = "/hotline/sla-timer", ce_id: str | None = None,
                position: int | None = None) -> CloudEvent:
        event = CloudEvent(id=ce_id or f"{self.id}:{next(self.sla_version)}", source=source, type=data.ce_type,
                           time=NOW, subject=self.number, position=position or next(positions), data=data)
        self.app.take(event)
        return event

    def open(self) -> None:
        self.publish(contracts.TicketOpened(
            ticket_id=self.id, ticket_number=self.number, customer="Acme Corp", location="100 Main St",
            issue="Calls drop", description="d", priority=self.priority, channel="email", contact=CONTACT,
            received_at=NOW, off_hours=False), source="/hotline/intake", ce_id=f"{self.id}:1")

    def deadline(self, clock: str, threshold: float) -> contracts.DeadlineEvent:
        model = contracts.DeadlineBreached if threshold == 100 else contracts.DeadlineApproaching
        return model(ticket_id=self.id, ticket_number=self.number, clock=clock, threshold=threshold,
                     due_at=NOW + timedelta(hours=8), fired_at=NOW, lateness_seconds=0, clock_version=1,
                     priority=self.priority, policy_version="p", calendar_version="c")

    def owed(self, kind: str) -> list[tuple[str, str]]:
        found = []
        for notification_id in {n.originator_id for n in self.app.recorder.select_notifications(1, 10_000)}:
            aggregate = self.app.repository.get(notification_id)
            if isinstance(aggregate, Notification) and aggregate.kind == kind:
                found.append((aggregate.recipient, aggregate.channel))
        return sorted(found)


@pytest.fixture
def app() -> NotifierApplication:
    return NotifierApplication(env=popo_env(), webhook_url=WEBHOOK)


def test_a_p2_is_escalated_to_the_queue_then_the_duty_manager_then_also_the_customer(app):
    ticket = Ticket(app, 2)
    ticket.open()
    ticket.publish(ticket.deadline("response", 75))
    assert ticket.owed("escalation") == [(QUEUE, "email")]
    ticket.publish(ticket.deadline("response", 90))
    ticket.publish(ticket.deadline("response", 100))
    assert ticket.owed("escalation") == sorted([(QUEUE, "email"), (DUTY, "email"), (DUTY, "email"),
                                                (CONTACT, "email")])
    assert ticket.owed("page") == []  # P2: no page


def test_a_p1_warning_also_pages_the_on_call_webhook_with_the_cloud_event(app):
    ticket = Ticket(app, 1)
    ticket.open()
    event = ticket.publish(ticket.deadline("resolution", 75))
    assert ticket.owed("page") == [(WEBHOOK, "webhook")]
    page = next(app.repository.get(n.originator_id) for n in app.recorder.select_notifications(1, 100)
                if getattr(app.repository.get(n.originator_id), "kind", None) == "page")
    assert page.payload["id"] == event.id and page.payload["type"] == "hotline.sla.deadline-approaching.v1"
    assert page.payload["data"]["clock"] == "resolution" and page.payload["specversion"] == "1.0"


def test_the_rfo_clock_tells_the_duty_manager_only(app):
    ticket = Ticket(app, 1)
    ticket.open()
    ticket.publish(ticket.deadline("rfo", 90))
    assert ticket.owed("escalation") == [(DUTY, "email")]


def test_each_recipient_is_told_once_however_the_event_comes_again(app):
    ticket = Ticket(app, 2)
    ticket.open()
    data = ticket.deadline("response", 100)
    first = ticket.publish(data)
    ticket.publish(data, ce_id=first.id, position=first.position)  # redelivered
    ticket.publish(data, ce_id=first.id)  # republished under another position
    assert ticket.owed("escalation") == sorted([(CONTACT, "email"), (DUTY, "email")])


def test_a_retraction_tells_exactly_whoever_got_the_retracted_message_to_disregard_it(app):
    ticket = Ticket(app, 1)
    ticket.open()
    ticket.publish(ticket.deadline("response", 75))
    breach = ticket.publish(ticket.deadline("response", 100))
    ticket.publish(contracts.DeadlineRetracted(
        ticket_id=ticket.id, ticket_number=ticket.number, clock="response", threshold=100, run=1,
        retracted_id=breach.id, retracted_type="hotline.sla.deadline-breached.v1",
        due_at=NOW + timedelta(hours=8), reason="clock-stopped", detail="first-response at 12:50",
        changed_at=NOW, retracted_at=NOW, priority=1, policy_version="p", calendar_version="c"))
    assert ticket.owed("retraction") == sorted([(DUTY, "email"), (CONTACT, "email"), (WEBHOOK, "webhook")])
    note = next(app.repository.get(n.originator_id) for n in app.recorder.select_notifications(1, 100)
                if getattr(app.repository.get(n.originator_id), "kind", None) == "retraction"
                and app.repository.get(n.originator_id).channel == "email")
    assert note.subject == "[T-000042] Disregard: the response breach no longer stands"
    assert "first-response at 12:50" in note.body


def test_a_ticket_whose_opening_was_never_seen_still_escalates_to_the_policy_recipients(app):
    ticket = Ticket(app, 2)
    ticket.publish(ticket.deadline("resolution", 100))
    assert ticket.owed("escalation") == [(DUTY, "email")]


def test_a_broken_policy_file_is_refused_with_the_reason(tmp_path):
    bad = tmp_path / "escalations.yaml"
    bad.write_text("name: x\nrules:\n  - clocks: [response]\n    thresholds: [75]\n    notify: [nobody]\n")
    with pytest.raises(EscalationPolicyError, match="unknown recipient 'nobody'"):
        load_policy(bad)
    assert load_policy(None).version.startswith("default-escalations-")


def test_an_escalation_names_ticket_customer_priority_the_deadline_in_the_calendar_zone_and_what_next(
        app, monkeypatch):
    monkeypatch.setenv("HOTLINE_CALENDAR_ZONE", "America/New_York")
    default_calendar.cache_clear()
    try:
        ticket = Ticket(app, 2)
        ticket.open()
        ticket.publish(ticket.deadline("resolution", 100))
        breach = next(app.repository.get(i) for i in {
            n.originator_id for n in app.recorder.select_notifications(1, 10_000)}
            if getattr(app.repository.get(i), "kind", None) == "escalation")
    finally:
        default_calendar.cache_clear()
    due = (NOW + timedelta(hours=8)).astimezone(ZoneInfo("America/New_York"))
    for text in (breach.body, breach.html):
        assert "T-000042" in text and "Acme Corp" in text and "Priority 2" in text
        assert due.strftime("%H:%M %Z") in text and "EST" in text and "America/New_York" in text
        assert "PST" not in text and "What happens next" in text
    assert breach.subject == "[T-000042] SLA breached: resolution clock breached – P2 – Acme Corp"
