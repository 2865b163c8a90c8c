"""Intake over HTTP: open and read tickets, clear 4xx reasons, unique numbers under
concurrency, the directory API, OpenAPI, and health endpoints on every service."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from stack_cli import set_clock  # noqa: E402

pytestmark = pytest.mark.e2e

TICKET = {
    "customer": "Acme Corp", "location": "100 Main St, Springfield",
    "issue": "Calls to 212 fail", "description": "Since 10:00, NYC calls fail with 503.",
    "priority": 2, "contact": "noc@acme.example",
}


async def test_open_and_read_a_ticket(stack):
    async with stack.client("intake") as client:
        created = await client.post("/tickets", json=TICKET)
        assert created.status_code == 201, created.text
        ticket = created.json()
        assert re.fullmatch(r"T-\d{6}", ticket["number"])
        assert ticket["channel"] == "http" and ticket["priority"] == 2
        read = await client.get(f"/tickets/{ticket['number']}")
        assert read.status_code == 200
        assert read.json() == ticket


async def test_a_telephone_call_is_received_at_the_time_of_the_call(stack):
    now = datetime(2026, 12, 2, 17, 0, tzinfo=timezone.utc)  # the stack's clock: others move it
    set_clock(stack, now.isoformat())
    called_at = now - timedelta(minutes=5)
    call = {**TICKET, "channel": "phone", "contact": None, "description": "", "caller": "Jane Doe",
            "callback": "+1 (555) 010-0100", "called_at": called_at.isoformat()}
    async with stack.client("intake") as client:
        created = await client.post("/tickets", json=call)
        assert created.status_code == 201, created.text
        ticket = created.json()
        assert (ticket["channel"], ticket["caller"], ticket["contact"]) == (
            "phone", "Jane Doe", "noc@acme.example")
        assert datetime.fromisoformat(ticket["received_at"]) == called_at
        read = await client.get(f"/tickets/{ticket['number']}")
        assert read.json() == ticket
        late = await client.post("/tickets", json={
            **call, "called_at": (called_at - timedelta(hours=1)).isoformat()})
        assert late.status_code == 409 and late.json()["detail"]["reason"] == "too_far_back"


async def test_priority_defaults_to_3(stack):
    async with stack.client("intake") as client:
        created = await client.post("/tickets", json={**TICKET, "priority": None})
        assert created.json()["priority"] == 3 and created.json()["priority_defaulted"] is True


@pytest.mark.parametrize(("change", "status", "reason"), [
    ({"contact": "eve@evil.example"}, 422, "unknown_sender"),
    ({"customer": "Initech"}, 422, "unknown_customer"),
    ({"location": "1 Nowhere Ln"}, 422, "unknown_location"),
    ({"priority": 7}, 422, None),
    ({"contact": "not an email"}, 422, None),
    ({"issue": ""}, 422, None),
])
async def test_bad_requests_get_4xx_with_a_reason(stack, change, status, reason):
    async with stack.client("intake") as client:
        response = await client.post("/tickets", json={**TICKET, **change})
    assert response.status_code == status
    detail = response.json()["detail"]
    if reason:
        assert detail["reason"] == reason and detail["detail"]
    else:
        assert detail  # pydantic says which field and why


async def test_unknown_and_malformed_ticket_numbers(stack):
    async with stack.client("intake") as client:
        missing = await client.get("/tickets/T-999999")
        malformed = await client.get("/tickets/42")
    assert missing.status_code == 404 and missing.json()["detail"]["reason"] == "not_found"
    assert malformed.status_code == 400


async def test_ticket_numbers_stay_unique_and_sequential_under_concurrent_intake(stack):
    async with stack.client("intake", timeout=60) as client:
        responses = await asyncio.gather(*(client.post("/tickets", json=TICKET) for _ in range(30)))
    numbers = sorted(int(r.json()["number"][2:]) for r in responses)
    assert all(r.status_code == 201 for r in responses)
    assert len(set(numbers)) == 30
    assert numbers == list(range(numbers[0], numbers[0] + 30))


async def test_directory_api_and_openapi(stack):
    async with stack.client("intake") as client:
        customers = (await client.get("/customers")).json()
        acme = await client.get("/customers/acme corp")
        unknown = await client.get("/customers/Initech")
        reload = await client.post("/customers/reload")
        openapi = (await client.get("/openapi.json")).json()
    assert "Acme Corp" in {c["name"] for c in customers}
    assert acme.json()["contacts"][0]["email"] == "noc@acme.example"
    assert unknown.status_code == 404
    assert reload.status_code == 200 and reload.json()["customers"] == len(customers)
    assert {"/tickets", "/tickets/{number}", "/customers"} <= set(openapi["paths"])


async def test_every_service_reports_health_and_readiness(stack):
    async with httpx.AsyncClient() as client:
        for service in stack.services:
            assert (await client.get(stack.url(service) + "/healthz")).status_code == 200
            ready = await client.get(stack.url(service) + "/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["ready"] is True


async def test_an_idempotency_key_makes_post_tickets_safe_to_retry(stack):
    ticket = {**TICKET, "issue": "Idempotent retry"}
    async with stack.client("intake", "agent", timeout=60) as client:
        key = {"Idempotency-Key": f"retry-{datetime.now(timezone.utc).timestamp()}"}
        first = await client.post("/tickets", json=ticket, headers=key)
        again = await client.post("/tickets", json=ticket, headers=key)
        assert (first.status_code, again.status_code) == (201, 201), again.text
        assert again.json()["number"] == first.json()["number"]
        assert again.headers["Idempotent-Replayed"] == "true"
        assert "Idempotent-Replayed" not in first.headers
        other = await client.post("/tickets", json=ticket, headers={"Idempotency-Key": key[
            "Idempotency-Key"] + "-other"})
        assert other.status_code == 201 and other.json()["number"] != first.json()["number"]
        changed = await client.post("/tickets", json={**ticket, "priority": 1}, headers=key)
        assert changed.status_code == 422
        assert changed.json()["detail"]["reason"] == "idempotency_key_reused"
        race = {"Idempotency-Key": key["Idempotency-Key"] + "-race"}
        racing = await asyncio.gather(*(client.post("/tickets", json=ticket, headers=race)
                                        for _ in range(5)))
        assert {r.status_code for r in racing} == {201}
        assert len({r.json()["number"] for r in racing}) == 1
        assert [r.headers.get("Idempotent-Replayed") for r in racing].count("true") == 4


@pytest.mark.parametrize("key", [b"x" * 300, b"caf\xc3\xa9", b"two words"])
async def test_a_malformed_idempotency_key_is_refused_with_a_reason(stack, key):
    async with stack.client("intake", "agent") as client:
        response = await client.post("/tickets", json=TICKET, headers={"Idempotency-Key": key})
    assert response.status_code == 400
    assert response.json()["detail"]["reason"] == "invalid_idempotency_key"
    assert "1–255 visible ASCII characters" in response.json()["detail"]["detail"]
