"""Billing's HTTP API (without the token guard, which `tests/unit/identity` covers): quotes,
charges, explanations and invoices in JSON, CSV and text; refusals with their reason; reading
needs `billing:read` (auditors have it), writing `billing:write` (admins only)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from billing_fakes import envelope, make_app, opened, review
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from hotline.clock import FixedClock
from hotline.identity.roles import PERMISSION_ATTRIBUTE, Role, allows
from hotline_billing.entrypoints.http import billing_router

NOW = datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def client(clock) -> TestClient:
    app = make_app(clock=clock)
    app.take(envelope(review("T-000001")))
    app.take(envelope(opened("T-000002", priority=4)))
    http = FastAPI()
    http.include_router(billing_router(app))
    return TestClient(http)


def reason(response) -> tuple[int, str]:
    return response.status_code, response.json()["detail"]["reason"]


def test_charges_explain_and_invoice(client):
    [charge] = client.get("/charges", params={"ticket": "T-000001"}).json()
    assert (charge["kind"], charge["amount"]) == ("off-hours-support", "250.00")
    explained = client.get(f"/charges/{charge['charge_id']}/explain").json()
    assert explained["pricing"]["billable_minutes"] == 150
    invoice = client.get("/invoices/Acme Corp/2026-11").json()
    assert invoice == {"customer": "Acme Corp", "month": "2026-11", "status": "draft",
                       "currency": "USD", "lines": invoice["lines"], "total": "250.00",
                       "issued_at": None}
    assert invoice["lines"][0]["charge_id"] == charge["charge_id"]
    as_csv = client.get("/invoices/Acme Corp/2026-11", params={"format": "csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.text.splitlines()[0] == "ticket,kind,amount,charge_id,reverses,description,booked_at"
    assert "total" in client.get("/invoices/Acme Corp/2026-11", params={"format": "text"}).text


def test_quote_lifecycle_and_refusals(client, clock):
    created = client.post("/quotes", json={"ticket": "T-000002", "amount": "250", "description": "VLAN"})
    assert created.status_code == 201 and created.json()["amount"] == "250.00"
    quote_id = created.json()["quote_id"]
    assert client.get(f"/quotes/{quote_id}").json()["status"] == "open"
    assert client.post(f"/quotes/{quote_id}/approve").json()["status"] == "approved"
    assert reason(client.post(f"/quotes/{quote_id}/reject")) == (409, "quote_approved")
    assert reason(client.post("/quotes", json={"ticket": "T-000001", "amount": "1",
                                               "description": "x"})) == (404, "unknown_ticket")
    assert reason(client.post("/quotes", json={"ticket": "T-000002", "amount": "0",
                                               "description": "x"})) == (422, "invalid_amount")
    assert client.post("/quotes", json={"ticket": "T-000002", "amount": "1.234",
                                        "description": "x"}).status_code == 422
    assert reason(client.get("/quotes/00000000-0000-0000-0000-000000000000")) == (404, "unknown_quote")
    assert reason(client.get("/invoices/Umbrella/2026-11")) == (404, "unknown_invoice")
    assert reason(client.post("/invoices/2026-13/close")) == (422, "invalid_month")
    assert reason(client.post("/invoices/2027-01/close")) == (409, "month_not_started")


def test_close_month(client, clock):
    clock.set(datetime(2026, 12, 2, tzinfo=timezone.utc))
    closed = client.post("/invoices/2026-11/close").json()
    assert closed["invoices"] == [{"customer": "Acme Corp", "month": "2026-11", "status": "issued",
                                   "total": "250.00", "lines": 1}]
    assert client.get("/invoices/Acme Corp/2026-11").json()["status"] == "issued"


def test_permissions():
    needed = {(tuple(r.methods), r.path): getattr(r.endpoint, PERMISSION_ATTRIBUTE, None)
              for r in billing_router(make_app()).routes if isinstance(r, APIRoute)}
    assert len(needed) == 8
    assert set(needed.values()) == {"billing:read", "billing:write"}
    for (methods, path), permission in needed.items():
        assert permission == ("billing:read" if methods == ("GET",) else "billing:write"), path
    assert allows(Role.AUDITOR, "billing:read") and not allows(Role.AUDITOR, "billing:write")
    assert allows(Role.ADMIN, "billing:write") and not allows(Role.AGENT, "billing:read")
