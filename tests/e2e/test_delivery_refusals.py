"""Deliveries the receiving end refuses, through the running stack and the real sinks (the
harness retries after 1 s, 2 s, 4 s, ... and probes a relay that is down every 0.5 s):

- a relay answering 421 to everything is "down": every email waits, no attempt is counted, and
  once it takes mail again each confirmation goes exactly once, at its first attempt;
- a recipient greylisted forever (450) retries on its own, with each failed attempt on record,
  while everybody else's mail goes straight through;
- a webhook answering 503 is retried until it answers, and the page arrives once;
- `hotline notifications list` / `failed` show the attempts (a 550 is given up for good).
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
ACME = {"customer": "Acme Corp", "location": "100 Main St, Springfield",
        "contact": "noc@acme.example"}
GLOBEX = {"customer": "Globex Telecom", "location": "42 Harbor Rd, Shelbyville",
          "contact": "support@globex.example"}


def hotline(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HOTLINE, *args], env=stack.env, capture_output=True, text=True,
                          timeout=60)


def set_clock(stack, at: str) -> None:
    done = hotline(stack, "clock", "set", at)
    assert done.returncode == 0, done.stderr


async def open_ticket(stack, who: dict[str, str], priority: int = 4,
                      issue: str = "Calls drop") -> str:
    """A ticket opened over HTTP; P4 (the default) has no SLA clocks, so it owes nothing but its
    confirmation, whatever other tests do with the simulated clock."""
    async with stack.client("intake", "agent") as client:
        response = await client.post("/tickets", json={
            **who, "priority": priority, "issue": issue,
            "description": f"{issue} since this morning"})
    assert response.status_code == 201, response.text
    return response.json()["number"]


async def stop_clocks(stack, number: str) -> None:
    """A work-around stops the response and resolution clocks (and starts no RFO clock): the
    ticket owes no escalation to disturb later tests that move the clock."""
    async with stack.client("intake", "agent") as client:
        response = await client.post(f"/tickets/{number}/workaround", json={})
    assert response.status_code == 200, response.text


async def notifications(stack, number: str) -> list[dict[str, Any]]:
    async with stack.client("notifier", "agent") as client:
        response = await client.get("/notifications", params={"ticket": number})
    assert response.status_code == 200, response.text
    return response.json()


async def failed_notifications(stack) -> list[dict[str, Any]]:
    async with stack.client("notifier", "agent") as client:
        response = await client.get("/notifications/failed", params={"limit": 1000})
    assert response.status_code == 200, response.text
    return response.json()


async def the_one(stack, number: str, channel: str = "email", kind: str | None = "confirmation",
                  until: Callable[[dict[str, Any]], bool] = lambda n: True,
                  timeout: float = 30.0) -> dict[str, Any]:
    """The ticket's only notification on `channel` (of `kind`), once `until` holds for it."""
    deadline = time.monotonic() + timeout
    while True:
        found = [n for n in await notifications(stack, number)
                 if n["channel"] == channel and (kind is None or n["kind"] == kind)]
        if len(found) == 1 and until(found[0]):
            return found[0]
        assert time.monotonic() < deadline, f"{number}: {json.dumps(found, indent=1)}"
        await asyncio.sleep(0.2)


def mails_about(stack, numbers: list[str], since: int) -> Counter:
    """(recipient, subject) of every email about these tickets since `since`."""
    return Counter((m["To"], m["Subject"]) for m in stack.mails(since)
                   if m["X-Hotline-Ticket"] in numbers)


async def settled(read: Callable[[], Any], seconds: float = 3.0) -> Any:
    """`read()` once it stayed the same for `seconds` (room for a duplicate to show up)."""
    seen = read()
    while True:
        await asyncio.sleep(seconds)
        now = read()
        if now == seen:
            return now
        seen = now


async def relay_down_gauge(stack) -> float:
    async with stack.client("notifier") as client:
        response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    values = [float(line.rsplit(" ", 1)[1]) for line in response.text.splitlines()
              if line.startswith("hotline_notifier_relay_down")]
    assert values, response.text[:2000]
    return max(values)


async def test_a_relay_refusing_everything_with_421_counts_no_attempt_and_sends_each_once(stack):
    since = stack.mail_count()
    stack.refuse_mail({"all": 421})
    try:
        numbers = [await open_ticket(stack, who, issue=f"Relay down {i}")
                   for i, who in enumerate((ACME, GLOBEX, ACME, GLOBEX))]
        for number in numbers:  # each confirmation is owed, waiting for the relay
            await the_one(stack, number)
        deadline = time.monotonic() + 15
        while await relay_down_gauge(stack) != 1:  # the 421 was met: the relay is marked down
            assert time.monotonic() < deadline, "the notifier never marked the relay down"
            await asyncio.sleep(0.2)
        await asyncio.sleep(3)
        assert mails_about(stack, numbers, since) == Counter()
        for number in numbers:
            waiting = await the_one(stack, number)
            assert waiting["state"] == "pending" and waiting["attempts"] == [], waiting
    finally:
        stack.refuse_mail(None)

    await stack.wait_for_mail(lambda m: m["X-Hotline-Ticket"] in numbers, count=4, since=since,
                              timeout=30)
    sent = await settled(lambda: mails_about(stack, numbers, since))
    expected = Counter()
    for number, who in zip(numbers, (ACME, GLOBEX, ACME, GLOBEX), strict=True):
        confirmation = await the_one(stack, number)
        assert confirmation["state"] == "sent", confirmation
        [attempt] = confirmation["attempts"]  # the relay being down counted none
        assert attempt["attempt"] == 1 and attempt["outcome"] == "sent", attempt
        assert attempt["reply"].startswith("250"), attempt
        expected[(who["contact"], confirmation["subject"])] += 1
    assert sent == expected
    assert await relay_down_gauge(stack) == 0


async def test_a_recipient_greylisted_forever_retries_alone_and_delays_nobody_else(stack):
    slow = GLOBEX["contact"]
    since = stack.mail_count()
    stack.refuse_mail({"recipients": {slow: 450}})
    try:
        refused = await open_ticket(stack, GLOBEX, issue="Greylisted")
        others = [await open_ticket(stack, ACME, issue=f"Not greylisted {i}") for i in range(4)]
        await stack.wait_for_mail(lambda m: m["X-Hotline-Ticket"] in others, count=len(others),
                                  since=since, timeout=15)

        waiting = await the_one(stack, refused, until=lambda n: len(n["attempts"]) >= 2)
        assert waiting["state"] == "pending" and waiting["recipient"] == slow, waiting
        for attempt in waiting["attempts"]:
            assert attempt["outcome"] == "failed", waiting
            assert "450" in attempt["error"] and "Greylisted" in attempt["error"], attempt
            assert attempt["will_retry"] and not attempt["permanent"], attempt
            assert attempt["next_attempt_at"] is not None, attempt
        numbered = [a["attempt"] for a in waiting["attempts"]]
        assert numbered == list(range(1, len(numbered) + 1)), waiting
        listed = [n for n in await failed_notifications(stack)
                  if n["notification_id"] == waiting["notification_id"]]
        assert len(listed) == 1 and listed[0]["state"] == "pending", listed

        sent = await settled(lambda: mails_about(stack, [refused, *others], since))
        expected = Counter()
        for number in others:
            confirmation = await the_one(stack, number)
            assert confirmation["state"] == "sent", confirmation
            assert len(confirmation["attempts"]) == 1, confirmation
            expected[(ACME["contact"], confirmation["subject"])] += 1
        assert sent == expected  # one each, and nothing to the greylisted recipient
    finally:
        stack.refuse_mail(None)

    # Taken at its next attempt, once, after the failed ones.
    await stack.wait_for_mail(lambda m: m["X-Hotline-Ticket"] == refused, since=since, timeout=40)
    got = await settled(lambda: mails_about(stack, [refused], since))
    done = await the_one(stack, refused)
    assert got == Counter({(slow, done["subject"]): 1})
    assert done["state"] == "sent", done
    assert [a["outcome"] for a in done["attempts"]][-1] == "sent"
    assert len(done["attempts"]) >= 3, done
    assert all(a["outcome"] == "failed" for a in done["attempts"][:-1]), done


async def test_a_webhook_answering_503_is_retried_and_the_page_arrives_once(stack):
    set_clock(stack, "2026-11-30T09:00:00-08:00")  # Monday: a P1's response is due at 13:00
    number = await open_ticket(stack, ACME, priority=1, issue="Webhook refused")
    try:
        await page_refused_then_taken(stack, number)
    finally:
        stack.refuse_hooks(False)
        await stop_clocks(stack, number)


async def page_refused_then_taken(stack, number: str) -> None:
    stack.refuse_hooks(True)
    set_clock(stack, "2026-11-30T12:00:00-08:00")  # 75 %: the on-call webhook is paged
    page = await the_one(stack, number, channel="webhook", kind=None,
                         until=lambda n: len(n["attempts"]) >= 2)
    assert page["state"] == "pending", page
    for attempt in page["attempts"]:
        assert attempt["outcome"] == "failed" and "HTTP 503" in attempt["error"], attempt
        assert attempt["will_retry"], attempt
    delivery = page["notification_id"]
    assert [h for h in stack.hooks() if h["headers"].get("x-hotline-delivery") == delivery] == []
    stack.refuse_hooks(False)

    def pages() -> int:
        return sum(h["headers"].get("x-hotline-delivery") == delivery for h in stack.hooks())

    deadline = time.monotonic() + 30
    while pages() == 0:
        assert time.monotonic() < deadline, "the page never arrived after the sink took it again"
        await asyncio.sleep(0.2)
    assert await settled(pages) == 1
    [received] = [h for h in stack.hooks() if h["headers"].get("x-hotline-delivery") == delivery]
    event = json.loads(received["body"])
    assert event["subject"] == number and event["type"] == "hotline.sla.deadline-approaching.v1"
    done = await the_one(stack, number, channel="webhook", kind=None)
    assert done["state"] == "sent" and done["attempts"][-1]["reply"] == "HTTP 204", done
    assert len(done["attempts"]) >= 3, done
    assert all(a["outcome"] == "failed" for a in done["attempts"][:-1]), done


async def test_the_cli_lists_each_attempt_of_a_ticket_and_the_failed_notifications(stack):
    refused = GLOBEX["contact"]
    stack.refuse_mail({"recipients": {refused: 550}})
    try:
        gone = await open_ticket(stack, GLOBEX, issue="Mailbox unavailable")
        given_up = await the_one(stack, gone, until=lambda n: n["state"] == "given-up")
    finally:
        stack.refuse_mail(None)
    ok = await open_ticket(stack, ACME, issue="Mailbox fine")
    sent = await the_one(stack, ok, until=lambda n: n["state"] == "sent")

    [attempt] = given_up["attempts"]  # a 5xx is refused for good: no retry
    assert attempt["permanent"] and not attempt["will_retry"], attempt
    shown = hotline(stack, "notifications", "list", "--ticket", gone)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert any(line.startswith(f"{gone}  confirmation  email {refused}  given-up") and
               given_up["notification_id"] in line for line in lines), shown.stdout
    assert any(line.startswith("  #1  ") and " failed  RCPT 550 5.1.1 Mailbox unavailable" in line
               and line.endswith("→ given up (refused for good)") for line in lines), shown.stdout

    shown = hotline(stack, "notifications", "list", "--ticket", ok)
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    head = f"{ok}  confirmation  email {ACME['contact']}  sent"
    assert any(line.startswith(head) for line in lines), shown.stdout
    [sent_line] = [line for line in lines if line.startswith("  #")]
    assert sent_line.startswith("  #1  ") and "  sent  250" in sent_line, shown.stdout
    assert sent["attempts"][0]["reply"] in sent_line

    shown = hotline(stack, "notifications", "failed", "--limit", "1000")
    assert shown.returncode == 0, shown.stderr
    listed = shown.stdout.splitlines()
    at = next(i for i, line in enumerate(listed) if given_up["notification_id"] in line)
    assert listed[at].startswith(f"{gone}  confirmation  email {refused}  given-up"), shown.stdout
    assert listed[at + 2].startswith("  #1  ") and "RCPT 550" in listed[at + 2], shown.stdout
    assert sent["notification_id"] not in shown.stdout

    shown = hotline(stack, "notifications", "list", "--ticket", gone, "--json")
    assert shown.returncode == 0, shown.stderr
    assert [n["notification_id"] for n in json.loads(shown.stdout)] == [given_up["notification_id"]]
