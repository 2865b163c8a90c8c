"""Agent replies through the running stack, on the simulated clock: a public reply (given with
`hotline ticket reply`) to a ticket opened by email goes to the contact threaded under the customer's email and the confirmation
(`In-Reply-To`, `References`, `[T-…]` in the subject) and is the ticket's first response for
sla-timer; an internal note is never emailed; a resolution tells the contact, threaded too."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from smtp_client import email, send, ticket_number

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
CONTACT = "noc@acme.example"
ORIGINAL = "<agent-replies-1@acme.example>"


def set_clock(stack, at: str) -> None:
    done = subprocess.run([HOTLINE, "clock", "set", at], env=stack.env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


async def response_clock(stack, number: str, status: str = "met") -> dict:
    async with stack.client("sla-timer") as client:
        for _ in range(100):
            response = await client.get(f"/tickets/{number}/sla")
            if response.status_code == 200 and response.json()["clocks"]["response"]["status"] == status:
                return response.json()["clocks"]["response"]
            await asyncio.sleep(0.2)
    raise AssertionError(f"response clock of {number} never {status}: {response.text}")


async def test_a_public_reply_is_emailed_threaded_and_is_the_first_response(stack):
    since = stack.mail_count()
    set_clock(stack, "2026-11-30T09:00:00-08:00")
    message = email(subject="Acme Corp – 100 Main St, Springfield – Calls drop – Priority 2")
    message["Message-ID"] = ORIGINAL
    _, reply = await asyncio.to_thread(send, stack, message)
    number = ticket_number(reply)
    [confirmation] = await stack.wait_for_mail(lambda m: number in (m["Subject"] or ""), since=since)
    assert confirmation["Message-ID"].startswith(f"<{number}.")
    assert confirmation["In-Reply-To"] == ORIGINAL

    set_clock(stack, "2026-11-30T10:00:00-08:00")
    async with stack.client("intake", "agent") as client:
        note = await client.post(f"/tickets/{number}/replies",
                                 json={"message": "Customer sounds annoyed.", "internal": True})
        assert note.status_code == 200, note.text
    # The public reply by CLI, as an agent at a terminal would give it.
    answer = subprocess.run(
        [HOTLINE, "ticket", "reply", number, "--message", "We have replaced the line card; please test.",
         "--by", "alice@hotline.example"],
        env={**stack.env, "HOTLINE_INTAKE_URL": stack.url("intake")}, capture_output=True, text=True,
        timeout=60)
    assert answer.returncode == 0, answer.stderr
    [mail] = await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "Re:" in m["Subject"],
                                       since=since, timeout=30)
    assert mail["To"] == CONTACT
    assert mail["Subject"] == f"Re: [{number}] Calls drop"
    assert mail["In-Reply-To"] == ORIGINAL
    assert mail["References"].split() == [ORIGINAL, confirmation["Message-ID"]]
    assert mail["Message-ID"].startswith(f"<{number}.")
    assert "replaced the line card" in mail.get_body(("plain",)).get_content()

    response = await response_clock(stack, number)
    stopped = [row["at"] for row in response["timeline"] if row["event"] == "stopped"]
    assert stopped == ["2026-11-30T18:00:00Z"]  # the reply's instant, 10:00 Pacific

    set_clock(stack, "2026-11-30T11:00:00-08:00")
    async with stack.client("intake", "agent") as client:
        resolved = await client.post(f"/tickets/{number}/resolve", json={"note": "Line card replaced."})
        assert resolved.status_code == 200, resolved.text
    [milestone] = await stack.wait_for_mail(
        lambda m: number in (m["Subject"] or "") and "Resolved" in m["Subject"], since=since, timeout=30)
    assert milestone["To"] == CONTACT and milestone["In-Reply-To"] == ORIGINAL
    assert milestone["References"].split() == [ORIGINAL, confirmation["Message-ID"], mail["Message-ID"]]
    assert "Line card replaced." in milestone.get_body(("plain",)).get_content()

    await asyncio.sleep(2)
    about = [m for m in stack.mails(since) if number in (m["Subject"] or "")]
    assert not any("annoyed" in m.get_body(("plain",)).get_content() for m in about)  # the note
    assert len(about) == 3, [m["Subject"] for m in about]
