"""Escalations through the running stack, on the simulated clock, with the mail sink and a real
local webhook receiver: a P2 reaching 75 %, 90 % and its breach sends exactly the shipped
policy's emails, once each, to exactly those addresses; a P1's warnings also page the on-call
webhook, with signatures that verify; a retracted breach sends a "disregard" note to whoever
got it."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
QUEUE, DUTY, CONTACT = "support-queue@hotline.example", "duty-manager@hotline.example", "noc@acme.example"
TICKET = {"customer": "Acme Corp", "location": "100 Main St, Springfield", "issue": "Calls drop",
          "description": "Calls drop after a minute", "contact": CONTACT}


def set_clock(stack, at: str) -> None:
    done = subprocess.run([HOTLINE, "clock", "set", at], env=stack.env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


async def open_ticket(stack, priority: int) -> str:
    async with stack.client("intake", "agent") as client:
        response = await client.post("/tickets", json={**TICKET, "priority": priority})
    assert response.status_code == 201, response.text
    return response.json()["number"]


def escalations(stack, number: str, since: int) -> Counter:
    """(recipient, subject) of every escalation email about `number`."""
    return Counter((m["To"], m["Subject"]) for m in stack.mails(since)
                   if number in (m["Subject"] or "") and "SLA" in (m["Subject"] or ""))


async def quiet(stack, number: str, since: int, seconds: float = 3.0) -> Counter:
    seen = escalations(stack, number, since)
    while True:
        await asyncio.sleep(seconds)
        now = escalations(stack, number, since)
        if now == seen:
            return now
        seen = now


async def test_a_p2_escalates_to_exactly_the_policys_recipients_once_each(stack):
    since = stack.mail_count()
    set_clock(stack, "2026-11-30T09:00:00-08:00")  # Monday: response due 17:00 (8 support hours)
    number = await open_ticket(stack, 2)
    await stack.wait_for_mail(lambda m: number in (m["Subject"] or ""), since=since)  # confirmation
    for at, expected in (("15:00", 1), ("16:12", 2), ("17:00", 4)):
        set_clock(stack, f"2026-11-30T{at}:00-08:00")
        await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "SLA" in (m["Subject"] or ""),
                                  count=expected, since=since, timeout=30)
    sent = await quiet(stack, number, since)
    assert sent == Counter({
        (QUEUE, f"[{number}] SLA warning: response clock 75% of its time used – P2 – Acme Corp"): 1,
        (DUTY, f"[{number}] SLA warning: response clock 90% of its time used – P2 – Acme Corp"): 1,
        (DUTY, f"[{number}] SLA breached: response clock breached – P2 – Acme Corp"): 1,
        (CONTACT, f"[{number}] SLA breached: response clock breached – P2 – Acme Corp"): 1,
    })
    breach = next(m for m in stack.mails(since)
                  if m["To"] == DUTY and "breached" in m["Subject"] and number in m["Subject"])
    text = breach.get_body(("plain",)).get_content()
    assert "Mon 2026-11-30 17:00 PST" in text and "America/Los_Angeles" in text
    assert breach.get_body(("html",)) is not None


async def test_a_p1_warning_pages_the_on_call_webhook_with_a_signature_that_verifies(stack):
    set_clock(stack, "2026-11-30T09:00:00-08:00")
    number = await open_ticket(stack, 1)
    set_clock(stack, "2026-11-30T12:00:00-08:00")  # 75 % of the 4 h response budget
    pages = []
    for _ in range(100):
        pages = [h for h in stack.hooks() if json.loads(h["body"])["subject"] == number]
        if pages:
            break
        await asyncio.sleep(0.2)
    assert len(pages) == 1, pages
    page = pages[0]
    event = json.loads(page["body"])
    assert event["type"] == "hotline.sla.deadline-approaching.v1" and event["specversion"] == "1.0"
    assert event["data"]["clock"] == "response" and event["data"]["threshold"] == 75
    expected = hmac.new(stack.webhook_secret.encode(), page["body"].encode(), hashlib.sha256).hexdigest()
    assert page["headers"]["x-hotline-signature"] == f"sha256={expected}"
    assert page["headers"]["x-hotline-delivery"]
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(page["headers"])


async def test_a_retracted_breach_tells_whoever_got_it_to_disregard_it(stack):
    since = stack.mail_count()
    set_clock(stack, "2026-11-30T09:00:00-08:00")
    number = await open_ticket(stack, 1)  # response due 13:00
    set_clock(stack, "2026-11-30T13:00:00-08:00")
    await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "breached" in (m["Subject"] or ""),
                              count=2, since=since, timeout=30)
    set_clock(stack, "2026-11-30T13:05:00-08:00")
    async with stack.client("intake", "agent") as client:
        response = await client.post(f"/tickets/{number}/first-response",
                                     json={"at": "2026-11-30T12:50:00-08:00"})
    assert response.status_code == 200, response.text
    notes = await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "Disregard" in m["Subject"],
                                      count=2, since=since, timeout=30)
    await asyncio.sleep(3)
    notes = [m for m in stack.mails(since) if number in (m["Subject"] or "") and "Disregard" in m["Subject"]]
    assert sorted(m["To"] for m in notes) == sorted([DUTY, CONTACT])
    assert all(m["Subject"] == f"[{number}] Disregard: the response breach no longer stands" for m in notes)
    pages = [json.loads(h["body"]) for h in stack.hooks() if json.loads(h["body"])["subject"] == number]
    assert [p["type"] for p in pages].count("hotline.sla.deadline-retracted.v1") == 1


async def test_escalations_go_once_each_when_the_notifier_is_killed_while_sending_them(stack):
    since = stack.mail_count()
    set_clock(stack, "2026-12-01T09:00:00-08:00")  # Tuesday: response due 17:00
    number = await open_ticket(stack, 2)
    await stack.wait_for_mail(lambda m: number in (m["Subject"] or ""), since=since)  # confirmation
    set_clock(stack, "2026-12-01T17:30:00-08:00")  # 75 %, 90 % and the breach fall due at once
    await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "SLA" in (m["Subject"] or ""),
                              since=since, timeout=30)
    stack.kill("notifier")  # mid-burst: some sent, some owed, some perhaps sent but not recorded
    await stack.start("notifier")
    await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "SLA" in (m["Subject"] or ""),
                              count=4, since=since, timeout=60)
    sent = await quiet(stack, number, since)
    assert sorted(sent) == sorted([
        (QUEUE, f"[{number}] SLA warning: response clock 75% of its time used – P2 – Acme Corp"),
        (DUTY, f"[{number}] SLA warning: response clock 90% of its time used – P2 – Acme Corp"),
        (DUTY, f"[{number}] SLA breached: response clock breached – P2 – Acme Corp"),
        (CONTACT, f"[{number}] SLA breached: response clock breached – P2 – Acme Corp"),
    ])
    # A crash between handing an email over and recording it may resend it, with the same
    # Message-ID (receivers drop the copy); no escalation is ever owed twice.
    ids = Counter(m["Message-ID"] for m in stack.mails(since)
                  if number in (m["Subject"] or "") and "SLA" in (m["Subject"] or ""))
    assert len(ids) == 4, ids  # four escalations owed, each under one Message-ID
