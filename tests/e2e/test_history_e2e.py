"""`hotline history` through the running stack, on the simulated clock: an emailed ticket given
its first response and raised in priority has a history with entries from intake, sla-timer and
notifier in time order (Pacific and UTC in the text); `--as-of` shows it as it stood before the
first response; auditors read histories, agents are refused (403)."""

from __future__ import annotations

import asyncio
import json

import pytest
from hotline.history import parse_instant
from smtp_client import email, send, ticket_number
from stack_cli import hotline, ok  # noqa: E402

pytestmark = pytest.mark.e2e
SUBJECT = "Acme Corp – 100 Main St, Springfield – Echo on every call – Priority 3"


async def history_with(stack, number: str, wanted, timeout: float = 30.0) -> dict:
    """The history once `wanted(entries)` holds (other services consume asynchronously)."""
    async with stack.client("intake", role="auditor") as client:
        for _ in range(int(timeout / 0.3)):
            found = (await client.get(f"/tickets/{number}/history")).json()
            if wanted(found["entries"]):
                return found
            await asyncio.sleep(0.3)
    raise AssertionError(f"the history of {number} never showed it: {found}")


def types(entries: list[dict]) -> set[tuple[str, str]]:
    return {(e["service"], e["type"]) for e in entries}


async def test_history_across_services_in_time_order_and_as_of(stack):
    ok(hotline(stack, "clock", "set", "2026-11-30T09:00:00-08:00"))
    code, reply = await asyncio.to_thread(send, stack, email(subject=SUBJECT))
    assert code == 250, reply
    number = ticket_number(reply)
    await history_with(stack, number, lambda e: {("sla-timer", "TicketClocks.Opened"),
                                                ("notifier", "Notification.Sent")} <= types(e))
    ok(hotline(stack, "clock", "set", "2026-11-30T09:30:00-08:00"))
    ok(hotline(stack, "ticket", "first-response", number, role="agent"))
    ok(hotline(stack, "clock", "set", "2026-11-30T10:00:00-08:00"))
    ok(hotline(stack, "ticket", "priority", number, "2", role="agent"))
    await history_with(stack, number, lambda e: sum(
        x["type"] == "TicketClocks.Changed" for x in e) >= 2)

    found = json.loads(ok(hotline(stack, "history", number, "--json", role="auditor")))
    assert found["unavailable"] == []
    instants = [parse_instant(e["at"]) for e in found["entries"]]
    assert instants == sorted(instants)
    assert {e["service"] for e in found["entries"]} >= {"intake", "sla-timer", "notifier"}
    assert {("intake", "Ticket.Opened"), ("intake", "Ticket.FirstResponseGiven"),
            ("intake", "Ticket.PriorityChanged"), ("sla-timer", "TicketClocks.DeadlineMet"),
            ("notifier", "Notification.Sent")} <= types(found["entries"])
    raised = next(e for e in found["entries"] if e["type"] == "TicketClocks.Changed"
                  and e["detail"]["kind"] == "priority-changed")
    assert "resolution v2 due" in raised["summary"]

    text = ok(hotline(stack, "history", number, role="auditor"))
    assert "Mon 2026-11-30 09:00:00 PST | 2026-11-30T17:00:00Z" in text
    assert "priority P3 → P2" in text

    before = json.loads(ok(hotline(stack, "history", number, "--as-of", "2026-11-30T09:15:00-08:00",
                                   "--json", role="auditor")))
    ticket = before["state"]["intake"]["ticket"]
    assert (ticket["status"], ticket["priority"], ticket["responded_at"]) == ("open", 3, None)
    clocks = before["state"]["sla_timer"]["clocks"]
    assert (clocks["priority"], clocks["clocks"]["response"]["status"]) == (3, "running")
    assert "Ticket.FirstResponseGiven" not in {e["type"] for e in before["entries"]}

    async with stack.client("intake", role="agent") as agent:
        assert (await agent.get(f"/tickets/{number}/history")).status_code == 403
    refused = hotline(stack, "history", number, role="agent")
    assert refused.returncode == 1 and "403" in refused.stderr
