"""Ticket lifecycle through intake's HTTP API and the `hotline ticket` CLI: each change is an
event on hotline.tickets.v1; a change that does not fit is refused with a reason."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import headers_dict, kafka_messages

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
TICKET = {"customer": "Acme Corp", "location": "100 Main St, Springfield", "issue": "Echo",
          "description": "Echo on all calls", "priority": 3, "contact": "noc@acme.example"}


async def ticket_events(stack, number: str, count: int) -> list[str]:
    for _ in range(60):
        records = await kafka_messages(stack.kafka_bootstrap, "hotline.tickets.v1")
        types = [headers_dict(r)["ce_type"] for r in records
                 if headers_dict(r).get("ce_subject") == number]
        if len(types) >= count:
            return types
        await asyncio.sleep(0.3)
    return types


async def test_lifecycle_changes_are_published_in_order(stack):
    async with stack.client("intake") as client:
        number = (await client.post("/tickets", json=TICKET)).json()["number"]
        for command, body in [("first-response", {"by": "agent@hotline.example"}),
                              ("priority", {"priority": 2, "note": "more lines affected"}),
                              ("waiting-on-customer", None), ("customer-responded", None),
                              ("resolve", None), ("rfo", None), ("close", None)]:
            response = await client.post(f"/tickets/{number}/{command}", json=body)
            assert response.status_code == 200, (command, response.text)
        refused = await client.post(f"/tickets/{number}/reopen")
    assert refused.status_code == 409
    assert refused.json()["detail"]["reason"] == "not_resolved"
    types = await ticket_events(stack, number, 8)
    assert types == [
        "hotline.ticket.opened.v1", "hotline.ticket.responded.v1",
        "hotline.ticket.priority-changed.v1", "hotline.ticket.waiting-on-customer.v1",
        "hotline.ticket.customer-responded.v1", "hotline.ticket.resolved.v1",
        "hotline.ticket.rfo-delivered.v1", "hotline.ticket.closed.v1"]


async def test_cli_moves_a_ticket_and_explains_refusals(stack):
    async with stack.client("intake") as client:
        number = (await client.post("/tickets", json=TICKET)).json()["number"]
    env = {**stack.env, "HOTLINE_INTAKE_URL": stack.url("intake")}

    def hotline(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([HOTLINE, "ticket", *args], env=env, capture_output=True,
                              text=True, timeout=60)

    done = hotline("first-response", number, "--by", "agent@hotline.example", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["responded_at"]
    again = hotline("first-response", number)
    assert again.returncode == 1 and "already_responded" in again.stderr
    shown = hotline("show", number)
    assert number in shown.stdout and "first response" in shown.stdout
    missing = hotline("resolve", "T-999999")
    assert missing.returncode == 1 and "no ticket T-999999" in missing.stderr
