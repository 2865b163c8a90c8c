"""Ticket aggregate and IntakeApplication, given / when / then, on in-memory persistence."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from hotline.calendar import SupportCalendar
from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline_intake.adapters.ticket_numbers import InMemoryTicketNumbers
from hotline_intake.application import IntakeApplication, TicketNotFound
from hotline_intake.domain.submission import RejectedSubmission
from hotline_intake.domain.ticket import Ticket, ticket_id
from hotline_intake.publication import to_cloud_event

WED_1000_PT = datetime(2026, 11, 18, 18, 0, tzinfo=timezone.utc)  # Wed 10:00 Pacific
SAT_NIGHT = datetime(2026, 11, 22, 6, 0, tzinfo=timezone.utc)  # Sat 22:00 Pacific


def make_app(at: datetime = WED_1000_PT) -> IntakeApplication:
    return IntakeApplication(
        env=popo_env(), numbers=InMemoryTicketNumbers(),
        calendar=SupportCalendar(), clock=FixedClock(at),
    )


def open_ticket(app: IntakeApplication, **overrides) -> Ticket:
    fields = dict(customer="Acme Corp", location="100 Main St, Springfield",
                  issue="No dial tone", description="All lines dead", priority=1,
                  priority_defaulted=False, channel="email", contact="noc@acme.example")
    fields.update(overrides)
    return app.open_ticket(**fields)


def test_when_a_ticket_is_opened_then_one_opened_event_records_everything():
    app = make_app()
    ticket = open_ticket(app, attachments=[{"filename": "trace.pcap", "size": 42,
                                            "content_type": "application/vnd.tcpdump.pcap"}])
    events = app.repository.event_store.get(ticket.id)
    events = list(events)
    assert [type(e).__name__ for e in events] == ["Opened"]
    opened = events[0]
    assert opened.number == "T-000001"
    assert opened.received_at == WED_1000_PT
    assert opened.off_hours is False
    assert opened.calendar_version == SupportCalendar().version
    assert opened.attachments[0]["filename"] == "trace.pcap"


def test_ticket_numbers_are_sequential_and_name_the_aggregate():
    app = make_app()
    numbers = [open_ticket(app).number for _ in range(3)]
    assert numbers == ["T-000001", "T-000002", "T-000003"]
    assert app.get_ticket("T-000002").id == ticket_id("T-000002")


def test_given_a_saturday_night_email_then_it_is_off_hours():
    assert open_ticket(make_app(SAT_NIGHT)).off_hours is True


def test_given_the_day_before_thanksgiving_then_it_is_off_hours():
    wednesday_before_thanksgiving_noon = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)
    assert open_ticket(make_app(wednesday_before_thanksgiving_noon)).off_hours is True


def test_state_is_rebuilt_from_the_event_log():
    app = make_app()
    ticket = open_ticket(app, priority=2)
    app.repository.cache = None
    again = app.get_ticket(ticket.number)
    assert (again.customer, again.priority, again.status) == ("Acme Corp", 2, "open")


def test_unknown_ticket_number_is_not_found():
    with pytest.raises(TicketNotFound):
        make_app().get_ticket("T-999999")


def test_a_rejection_is_kept_for_audit_and_published():
    app = make_app()
    submission_id = app.reject_submission(
        channel="email", sender="eve@evil.example", subject="Acme – x", reason="unknown_sender",
        detail="not a registered contact", size=100,
    )
    [rejected] = app.repository.event_store.get(submission_id)
    assert isinstance(rejected, RejectedSubmission.Rejected)
    cloud_event = to_cloud_event(rejected, position=7)
    assert cloud_event.type == "hotline.submission.rejected.v1"
    assert cloud_event.data.reason == "unknown_sender"
    assert "CUSTOMER" in cloud_event.data.expected_format or "–" in cloud_event.data.expected_format


def test_opened_event_maps_to_the_public_contract():
    app = make_app()
    ticket = open_ticket(app)
    [opened] = app.repository.event_store.get(ticket.id)
    cloud_event = to_cloud_event(opened, position=1)
    assert cloud_event.id == f"{ticket.id}:1"
    assert cloud_event.subject == "T-000001"
    assert cloud_event.type == "hotline.ticket.opened.v1"
    headers = cloud_event.headers()
    assert headers["ce_source"] == "/hotline/intake"
    assert headers["hotline_position"] == "1"
    assert cloud_event.data.ticket_id == ticket.id
