"""`POST /tickets` with an `Idempotency-Key`: the same key from the same caller opens one ticket
(a retry is `Replayed`, nothing recorded), a different request with it is refused, racing twins
are settled by the submission log's unique key, keys are per caller, the log rebuilt from the
event log still holds them, and a malformed key is a 400 with a reason."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from intake_fakes import ACME_NOC, blind_first_look, make_submissions, published

from hotline_intake.entrypoints.http import ticket_router
from hotline_intake.submissions import IdempotencyKeyReused, Opened, Rejected, Replayed

REQUEST = dict(customer="Acme Corp", location="100 Main St, Springfield", issue="Echo on calls",
               description="Echo since Monday.", priority=2, contact=ACME_NOC)
AGENT = {"name": "ci-bot", "role": "agent"}


def opened_events(submissions) -> int:
    return [e.type for e in published(submissions.app)].count("hotline.ticket.opened.v1")


async def test_the_same_key_from_the_same_caller_opens_one_ticket():
    submissions = make_submissions()
    first = await submissions.receive_request(**REQUEST, actor=AGENT, idempotency_key="k-1")
    again = await submissions.receive_request(**REQUEST, actor=AGENT, idempotency_key="k-1")
    assert isinstance(first, Opened) and isinstance(again, Replayed)
    assert again.ticket.number == first.ticket.number
    assert opened_events(submissions) == 1


async def test_keys_are_per_caller_and_a_new_key_is_a_new_ticket():
    submissions = make_submissions()
    numbers = {(await submissions.receive_request(**REQUEST, actor=actor, idempotency_key=key)
                ).ticket.number
               for actor, key in [(AGENT, "k"), ({"name": "other", "role": "agent"}, "k"),
                                  (AGENT, "k2")]}
    assert len(numbers) == 3


async def test_the_same_key_with_a_different_request_is_refused_and_records_nothing():
    submissions = make_submissions()
    first = await submissions.receive_request(**REQUEST, actor=AGENT, idempotency_key="k")
    with pytest.raises(IdempotencyKeyReused, match=first.ticket.number):
        await submissions.receive_request(**{**REQUEST, "priority": 1}, actor=AGENT,
                                          idempotency_key="k")
    assert len(published(submissions.app)) == 1


async def test_a_refused_request_keeps_no_key():
    submissions = make_submissions()
    refused = await submissions.receive_request(**{**REQUEST, "customer": "Nobody"}, actor=AGENT,
                                                idempotency_key="k")
    opened = await submissions.receive_request(**REQUEST, actor=AGENT, idempotency_key="k")
    assert isinstance(refused, Rejected) and isinstance(opened, Opened)


async def test_a_racing_twin_loses_on_the_unique_key_and_is_replayed():
    submissions = make_submissions()
    first = await submissions.receive_request(**REQUEST, actor=AGENT, idempotency_key="k")
    blind_first_look(submissions.app)  # as if the twin looked before the winner committed
    twin = await submissions.receive_request(**REQUEST, actor=AGENT, idempotency_key="k")
    assert isinstance(first, Opened) and isinstance(twin, Replayed)
    assert twin.ticket.number == first.ticket.number and opened_events(submissions) == 1


async def test_concurrent_requests_with_one_key_open_one_ticket():
    submissions = make_submissions()
    outcomes = await asyncio.gather(*(submissions.receive_request(
        **REQUEST, actor=AGENT, idempotency_key="k") for _ in range(6)))
    assert len({o.ticket.number for o in outcomes}) == 1
    assert opened_events(submissions) == 1


async def test_the_rebuilt_submission_log_keeps_the_keys():
    submissions = make_submissions()
    first = await submissions.receive_request(**REQUEST, actor=AGENT, idempotency_key="k")
    submissions.app.rebuild_submission_log()
    again = await submissions.receive_request(**REQUEST, actor=AGENT, idempotency_key="k")
    assert isinstance(again, Replayed) and again.ticket.number == first.ticket.number


# -- over HTTP -------------------------------------------------------------------------------
@pytest.fixture
def client() -> TestClient:
    http = FastAPI()
    http.include_router(ticket_router(make_submissions()))
    return TestClient(http)


def test_a_repeated_key_answers_201_with_the_ticket_and_says_it_replayed(client):
    first = client.post("/tickets", json=REQUEST, headers={"Idempotency-Key": "abc"})
    again = client.post("/tickets", json=REQUEST, headers={"Idempotency-Key": "abc"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    changed = client.post("/tickets", json={**REQUEST, "issue": "Other"},
                          headers={"Idempotency-Key": "abc"})
    assert changed.status_code == 422
    assert changed.json()["detail"]["reason"] == "idempotency_key_reused"


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\there", "caf\xe9"])
def test_a_malformed_key_is_400_with_a_reason(client, key):
    response = client.post("/tickets", json=REQUEST,
                           headers={"Idempotency-Key": key.encode("latin-1")})
    assert response.status_code == 400
    assert response.json()["detail"]["reason"] == "invalid_idempotency_key"
    assert "Idempotency-Key" in response.json()["detail"]["detail"]


def test_the_longest_key_and_no_key_are_accepted(client):
    assert client.post("/tickets", json=REQUEST, headers={"Idempotency-Key": "~" * 255}
                       ).status_code == 201
    assert client.post("/tickets", json=REQUEST).json()["number"] != client.post(
        "/tickets", json=REQUEST).json()["number"]
