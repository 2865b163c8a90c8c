"""Every caller known, through the running stack: each service refuses a request without a
valid token (401) or with the wrong role (403), each with a reason; the probes and OpenAPI
documents stay public; a token made with the CLI works at once and stops working within
seconds of its revocation; the caller is the actor of the events it causes."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness import headers_dict, subject_records

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
TICKET = {"customer": "Acme Corp", "location": "100 Main St, Springfield", "issue": "Echo",
          "description": "Echo on all calls", "priority": 3, "contact": "noc@acme.example"}
PROTECTED = {"intake": ["/customers", "/tickets/T-000001", "/metrics"],
             "sla-timer": ["/sla/policies", "/metrics"], "notifier": ["/metrics"]}


def hotline(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HOTLINE, *args], env=stack.env, capture_output=True, text=True, timeout=60)


async def test_every_service_refuses_a_request_without_a_valid_token(stack):
    for service, paths in PROTECTED.items():
        async with stack.client(service, role=None) as anonymous:
            for path in paths:
                missing = await anonymous.get(path)
                assert missing.status_code == 401, (service, path, missing.text)
                assert missing.json()["detail"]["reason"] == "missing_token"
                forged = await anonymous.get(path, headers={"Authorization": "Bearer hlt_forged"})
                assert forged.json()["detail"]["reason"] == "invalid_token"
            for public in ("/healthz", "/readyz", "/openapi.json"):
                assert (await anonymous.get(public)).status_code == 200, (service, public)


async def test_each_role_may_do_what_it_is_for_and_nothing_more(stack):
    async with stack.client("intake", "agent") as agent, stack.client("intake", "auditor") as auditor:
        opened = await agent.post("/tickets", json=TICKET)
        assert opened.status_code == 201, opened.text
        number = opened.json()["number"]
        assert (await auditor.get(f"/tickets/{number}")).status_code == 200
        refused = await auditor.post(f"/tickets/{number}/first-response")
        assert refused.status_code == 403 and refused.json()["detail"]["reason"] == "forbidden"
        assert (await auditor.post("/tickets", json=TICKET)).status_code == 403
        assert (await agent.post(f"/tickets/{number}/first-response")).status_code == 200
        assert (await agent.post("/customers/reload")).status_code == 403
        assert (await agent.get("/metrics")).status_code == 403
        metrics = await auditor.get("/metrics")
        assert metrics.status_code == 200
        assert re.search(r'hotline_relay_backlog\{[^}]*relay="intake->hotline\.tickets\.v1"\} \d', metrics.text)
    async with stack.client("notifier", "auditor") as auditor:  # every consumer group's lag
        text = (await auditor.get("/metrics")).text
        assert re.search(r'hotline_consumer_lag_records\{[^}]*group="hotline-notifier"[^}]*\} ', text), text[-2000:]
    async with stack.client("intake", "admin") as admin:
        assert (await admin.post("/customers/reload")).status_code == 200
    async with stack.client("sla-timer", "agent") as agent:
        assert (await agent.get("/sla/policies")).status_code == 200

    # The token's name and role are the actor of the events the commands caused.
    records = await subject_records(stack.kafka_bootstrap, "hotline.tickets.v1", number, 2)
    actors = {headers_dict(r)["ce_type"]: json.loads(r.value).get("actor") for r in records}
    assert actors == {"hotline.ticket.opened.v1": {"name": "test-agent", "role": "agent"},
                      "hotline.ticket.responded.v1": {"name": "test-agent", "role": "agent"}}


async def test_a_token_from_the_cli_works_until_it_is_revoked(stack):
    created = hotline(stack, "tokens", "create", "--name", "e2e-auditor", "--role", "auditor")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert "cannot be shown again" in created.stderr
    async with stack.client("intake", token=token) as client:
        for _ in range(50):  # services learn of it on NOTIFY
            if (await client.get("/customers")).status_code == 200:
                break
            await asyncio.sleep(0.1)
        assert (await client.get("/customers")).status_code == 200
        listed = hotline(stack, "tokens", "list", "--json")
        assert {"name": "e2e-auditor", "role": "auditor"}.items() <= next(
            t for t in json.loads(listed.stdout) if t["name"] == "e2e-auditor").items()
        assert token not in listed.stdout  # only a fingerprint of the hash is ever shown
        assert hotline(stack, "tokens", "revoke", "e2e-auditor").returncode == 0
        for _ in range(50):
            if (await client.get("/customers")).status_code == 401:
                break
            await asyncio.sleep(0.1)
        assert (await client.get("/customers")).json()["detail"]["reason"] == "invalid_token"
    wrong = hotline(stack, "tokens", "create", "--name", "x", "--role", "root")
    assert wrong.returncode == 1 and "unknown role" in wrong.stderr and "Traceback" not in wrong.stderr


async def test_the_cli_says_what_to_do_without_a_token(stack):
    env = {k: v for k, v in stack.env.items() if k != "HOTLINE_TOKEN"}
    env["HOTLINE_INTAKE_URL"] = stack.url("intake")
    done = subprocess.run([HOTLINE, "ticket", "show", "T-000001"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and "401" in done.stderr and "HOTLINE_TOKEN" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
