"""Tickets by telephone (issue 15): an agent records a customer's call as a ticket. It is received
at the time of the call (the response clock starts then), within the back-dating limit
(`too_far_back`, `in_future`: 409); `off_hours` follows the call's time; `TicketOpened` carries
channel `phone`, the caller and the callback number; the confirmation is owed to the contact
(the customer's first registered one when the agent names none); a call without caller or time
is refused 422 with a reason; `hotline ticket open --channel phone` prints the ticket."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from intake_fakes import ACME_NOC, WED_1000_PT, make_app, make_submissions, published
from typer.testing import CliRunner

from hotline.clock import FixedClock
from hotline.contracts import SubmissionRejected, TicketOpened
from hotline_intake import cli
from hotline_intake.domain.ticket import TicketRuleViolation
from hotline_intake.entrypoints.http import ticket_router
from hotline_intake.submissions import Opened, Rejected
from hotline_notifier.owing.replies import owed

CALL = dict(customer="Acme Corp", location="100 Main St, Springfield", issue="No dial tone",
            description="", priority=1, contact=None, channel="phone", caller="Jane Doe",
            callback="+1 (555) 010-0100")
TUE_1805_PT = datetime(2026, 11, 18, 2, 5, tzinfo=timezone.utc)  # just after Standard Support Hours


def submissions_at(now: datetime):
    return make_submissions(make_app(FixedClock(now)))


async def test_the_ticket_is_received_at_the_time_of_the_call():
    submissions = submissions_at(WED_1000_PT)
    called_at = WED_1000_PT - timedelta(minutes=10)
    opened = await submissions.receive_request(**CALL, called_at=called_at)
    assert isinstance(opened, Opened)
    assert opened.ticket.received_at == called_at
    assert (opened.ticket.channel, opened.ticket.caller, opened.ticket.callback) == (
        "phone", "Jane Doe", "+1 (555) 010-0100")


async def test_the_contract_carries_channel_caller_and_callback_and_a_confirmation_is_owed():
    submissions = submissions_at(WED_1000_PT)
    called_at = (WED_1000_PT - timedelta(minutes=5)).astimezone(timezone(timedelta(hours=-8)))
    await submissions.receive_request(**CALL, called_at=called_at)
    [event] = published(submissions.app)
    data = event.data
    assert isinstance(data, TicketOpened)
    assert (data.channel, data.caller, data.callback) == ("phone", "Jane Doe", "+1 (555) 010-0100")
    assert data.received_at == called_at  # the same instant, kept in UTC
    assert data.contact == ACME_NOC  # no contact named: the customer's first registered one
    [confirmation] = owed(None, event, {})
    assert (confirmation.kind, confirmation.recipient) == ("confirmation", ACME_NOC)


@pytest.mark.parametrize(("offset", "reason"), [
    (timedelta(minutes=-20), "too_far_back"), (timedelta(minutes=1), "in_future")])
async def test_a_call_outside_the_back_dating_limit_is_refused_and_nothing_recorded(offset, reason):
    submissions = submissions_at(WED_1000_PT)
    with pytest.raises(TicketRuleViolation) as refused:
        await submissions.receive_request(**CALL, called_at=WED_1000_PT + offset)
    assert refused.value.reason == reason
    assert published(submissions.app) == []


async def test_the_limit_is_the_configured_one():
    app = make_app(FixedClock(WED_1000_PT))
    app.max_backdate = timedelta(minutes=30)
    opened = await make_submissions(app).receive_request(
        **CALL, called_at=WED_1000_PT - timedelta(minutes=20))
    assert isinstance(opened, Opened)


@pytest.mark.parametrize(("minutes_ago", "off_hours"), [(10, False), (0, True)])
async def test_off_hours_follows_the_time_of_the_call(minutes_ago, off_hours):
    submissions = submissions_at(TUE_1805_PT)
    opened = await submissions.receive_request(
        **CALL, called_at=TUE_1805_PT - timedelta(minutes=minutes_ago))  # 17:55 or 18:05 Pacific
    assert opened.ticket.off_hours is off_hours


@pytest.mark.parametrize(("change", "field"), [
    ({"caller": None}, "caller"), ({"caller": "  "}, "caller"), ({"called_at": None}, "called_at"),
    ({"callback": "call me"}, "callback"), ({"callback": "12"}, "callback"),
    ({"callback": "+-()"}, "callback")])
async def test_a_call_without_caller_or_time_or_with_a_bad_number_is_rejected(change, field):
    submissions = submissions_at(WED_1000_PT)
    outcome = await submissions.receive_request(
        **{**CALL, "called_at": WED_1000_PT, **change})
    assert isinstance(outcome, Rejected) and outcome.reason == "invalid_field"
    assert field in outcome.detail
    [event] = published(submissions.app)
    assert isinstance(event.data, SubmissionRejected) and event.data.channel == "phone"


async def test_a_named_contact_must_be_registered():
    submissions = submissions_at(WED_1000_PT)
    outcome = await submissions.receive_request(
        **{**CALL, "contact": "eve@evil.example"}, called_at=WED_1000_PT)
    assert isinstance(outcome, Rejected) and outcome.reason == "unknown_sender"


# -- over HTTP and from the CLI --------------------------------------------------------------
@pytest.fixture
def client() -> TestClient:
    http = FastAPI()
    http.include_router(ticket_router(submissions_at(WED_1000_PT)))
    return TestClient(http)


PHONE = {"channel": "phone", "customer": "Acme Corp", "location": "100 Main St, Springfield",
         "issue": "No dial tone", "priority": 1, "caller": "Jane Doe", "callback": "555 0100"}
TYPED = {"customer": "Acme Corp", "location": "100 Main St, Springfield", "issue": "Echo",
         "description": "Echo on every call.", "contact": ACME_NOC}


def at(minutes: int) -> str:
    return (WED_1000_PT + timedelta(minutes=minutes)).isoformat()


def test_post_tickets_records_a_call(client):
    response = client.post("/tickets", json={**PHONE, "called_at": at(-10)})
    assert response.status_code == 201
    ticket = response.json()
    assert (ticket["channel"], ticket["caller"], ticket["callback"], ticket["contact"]) == (
        "phone", "Jane Doe", "555 0100", ACME_NOC)
    assert datetime.fromisoformat(ticket["received_at"]) == WED_1000_PT - timedelta(minutes=10)


@pytest.mark.parametrize(("body", "status", "reason"), [
    ({**PHONE, "called_at": at(-20)}, 409, "too_far_back"),
    ({**PHONE, "called_at": at(2)}, 409, "in_future"),
    (PHONE, 422, "invalid_field"),  # no called_at
    ({**PHONE, "caller": None, "called_at": at(0)}, 422, "invalid_field"),
    ({**PHONE, "callback": "ask for Bob", "called_at": at(0)}, 422, "invalid_field"),
    ({**TYPED, "contact": None}, 422, "invalid_field"),  # typed in: a contact is required
    ({**TYPED, "description": ""}, 422, "invalid_field"),
    ({**TYPED, "caller": "Jane Doe"}, 422, "invalid_field"),  # call fields need channel phone
])
def test_post_tickets_refusals_have_a_reason(client, body, status, reason):
    response = client.post("/tickets", json=body)
    assert response.status_code == status
    assert response.json()["detail"]["reason"] == reason and response.json()["detail"]["detail"]


def test_a_typed_in_ticket_is_unchanged(client):
    response = client.post("/tickets", json=TYPED)
    assert response.status_code == 201
    assert (response.json()["channel"], response.json()["caller"]) == ("http", None)


def test_the_cli_records_a_call_and_prints_its_number(client, monkeypatch):
    sent, keys = [], []

    def call(method, url, path, body=None, headers=None):
        sent.append(body)
        keys.append((headers or {}).get("Idempotency-Key"))
        return client.request(method, path, json=body, headers=headers).json()

    monkeypatch.setattr(cli, "_call", call)
    result = CliRunner().invoke(cli.app, [
        "open", "--channel", "phone", "--customer", "Acme Corp", "--location",
        "100 Main St, Springfield", "--issue", "No dial tone", "--priority", "1",
        "--caller", "Jane Doe", "--callback", "+1 555 0100", "--called-at", at(-5)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("T-000001  Priority 1  open")
    assert "by phone from Jane Doe, call back on +1 555 0100" in result.output
    assert "contact" not in sent[0]  # the customer's first registered contact, then
    assert keys[0] and len(keys[0]) == 36  # a fresh Idempotency-Key (a UUID) on every command


def test_the_cli_refuses_an_unknown_channel():
    result = CliRunner().invoke(cli.app, [
        "open", "--channel", "fax", "--customer", "Acme Corp", "--location", "x", "--issue", "y"])
    assert result.exit_code == 2 and "phone or http" in result.output
