"""`hotline clock set` moves time for the whole running stack: intake stamps tickets with it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from smtp_client import email, send, ticket_number

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))


async def test_an_email_is_received_at_the_stacks_simulated_time(stack):
    set_clock = subprocess.run([HOTLINE, "clock", "set", "2026-11-25T16:00:00-08:00"],
                               env=stack.env, capture_output=True, text=True, timeout=60)
    assert set_clock.returncode == 0, set_clock.stderr
    code, reply = await asyncio.to_thread(send, stack, email(
        subject="Acme Corp – 100 Main St, Springfield – Calls to 212 fail – Priority 2"))
    number = ticket_number(reply)
    async with stack.client("intake") as client:
        ticket = (await client.get(f"/tickets/{number}")).json()
    assert ticket["received_at"] == "2026-11-26T00:00:00Z"
    assert ticket["off_hours"] is True  # the day before Thanksgiving is a holiday
