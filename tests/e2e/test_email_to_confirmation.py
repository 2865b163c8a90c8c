"""The spine, end to end: an email in, a CloudEvent on Kafka, a confirmation out —
one trace across all of it — and a SIGKILL between accepting and publishing loses nothing
and duplicates nothing."""

from __future__ import annotations

import asyncio
import json

import pytest

from smtp_client import email, send, ticket_number
from harness import headers_dict, kafka_messages

pytestmark = pytest.mark.e2e
TICKETS = "hotline.tickets.v1"


async def opened_events(stack, number: str, min_count: int = 1) -> list:
    records = await kafka_messages(stack.kafka_bootstrap, TICKETS, min_count=0)
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        matching = [r for r in records if headers_dict(r).get("ce_subject") == number
                    and headers_dict(r)["ce_type"] == "hotline.ticket.opened.v1"]
        if len(matching) >= min_count or asyncio.get_running_loop().time() > deadline:
            return matching
        await asyncio.sleep(0.3)
        records = await kafka_messages(stack.kafka_bootstrap, TICKETS)


def log_lines(stack, service: str, message: str) -> list[dict]:
    lines = []
    for line in stack.log(service, lines=5000).splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("message") == message:
            lines.append(record)
    return lines


async def test_an_email_becomes_a_ticket_event_and_a_confirmation_in_one_trace(stack):
    since = stack.mail_count()
    code, reply = await asyncio.to_thread(send, stack, email())
    assert code == 250
    number = ticket_number(reply)

    [record] = await opened_events(stack, number)
    headers = headers_dict(record)
    assert headers["ce_specversion"] == "1.0"
    assert headers["ce_source"] == "/hotline/intake"
    assert headers["content-type"] == "application/json"
    body = json.loads(record.value)
    assert record.key.decode() == body["ticket_id"]
    assert headers["ce_id"] == f"{body['ticket_id']}:1"
    assert (body["customer"], body["location"], body["priority"], body["channel"]) == (
        "Acme Corp", "100 Main St, Springfield", 1, "email")
    assert body["contact"] == "noc@acme.example"
    assert "All lines dead" in body["description"]

    [confirmation] = await stack.wait_for_mail(lambda m: number in m["Subject"], since=since)
    assert confirmation["To"] == "noc@acme.example"
    assert number in confirmation.get_body(("plain",)).get_content()
    assert confirmation.get_body(("html",)) is not None  # with an HTML alternative

    # One trace: SMTP receipt in intake, the Kafka message, the send in notifier.
    [opened_log] = [r for r in log_lines(stack, "intake", "ticket opened") if r["ticket"] == number]
    [sent_log] = [r for r in log_lines(stack, "notifier", "confirmation sent")
                  if r["ticket"] == number]
    assert opened_log["trace_id"] == sent_log["trace_id"]
    assert headers["traceparent"].split("-")[1] == opened_log["trace_id"]


async def test_sigkill_between_accepting_and_publishing_loses_and_duplicates_nothing(stack):
    await stack.stop("intake")
    await stack.start("intake", {"HOTLINE_INTAKE_RELAY_PAUSED": "true"})
    since = stack.mail_count()
    code, reply = await asyncio.to_thread(send, stack, email())
    assert code == 250
    number = ticket_number(reply)
    await asyncio.sleep(1.0)
    assert await opened_events(stack, number, min_count=0) == [], "accepted but not yet published"

    stack.kill("intake")  # SIGKILL: no clean shutdown
    await stack.start("intake")

    assert len(await opened_events(stack, number)) == 1
    await stack.wait_for_mail(lambda m: number in m["Subject"], since=since)
    await asyncio.sleep(2.0)  # room for a duplicate to show up, if there were one
    assert len(await opened_events(stack, number)) == 1
    assert len([m for m in stack.mails(since) if number in m["Subject"]]) == 1
