"""The billing service running in the stack: a review outcome published on hotline.reviews.v1
is charged once however often it is delivered, the charge is published on hotline.billing.v1,
listed, explained and invoiced over HTTP and the CLI; a P4 ticket seen on hotline.tickets.v1
is quoted (QuoteCreated carries its contact). Upstream events are published here under a test
source, so intake's own positions are untouched."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from harness import headers_dict, subject_records
from hotline.contracts import topics
from hotline.contracts.envelope import CloudEvent

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "billing"))
from billing_fakes import entry, envelope, opened, review  # noqa: E402

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))


def hotline(stack, *args: str, role: str = "admin") -> subprocess.CompletedProcess:
    env = {**stack.env, "HOTLINE_TOKEN": stack.tokens[role]}
    return subprocess.run([HOTLINE, "billing", *args], env=env, capture_output=True, text=True,
                          timeout=60)


async def publish(stack, topic: str, *events: CloudEvent) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    try:
        for event in events:
            await producer.send_and_wait(topic, event.body(), key=str(event.data.ticket_id).encode(),
                                         headers=[(k, v.encode()) for k, v in event.headers().items()])
    finally:
        await producer.stop()


async def until(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.3)


async def test_a_review_outcome_is_charged_once_published_explained_and_invoiced(stack):
    number = f"T-9{random.randrange(10**6):06d}"
    outcome = review(number, work=[entry(150)])
    first = envelope(outcome, source="billing-test", position=random.randrange(10**9))
    again = envelope(outcome, source="billing-test", position=first.position + 1)
    await publish(stack, topics.REVIEWS, first, first, again)
    async with stack.client("billing", role="auditor") as client:
        async def charged():
            found = (await client.get("/charges", params={"ticket": number})).json()
            return found if found else None
        charges = await until(charged)
        assert [(c["kind"], c["amount"]) for c in charges] == [("off-hours-support", "250.00")]
        records = await subject_records(stack.kafka_bootstrap, topics.BILLING, number, 1)
        assert [headers_dict(r)["ce_type"] for r in records] == ["hotline.billing.charge-booked.v1"]
        await asyncio.sleep(2)  # the repeated deliveries had time to be applied: still one
        assert len((await client.get("/charges", params={"ticket": number})).json()) == 1
        month = charges[0]["month"]
        invoice = (await client.get(f"/invoices/Acme Corp/{month}")).json()
        assert charges[0]["charge_id"] in [line["charge_id"] for line in invoice["lines"]]
        assert (await client.post(f"/invoices/{month}/close")).status_code == 403  # auditor
    explained = hotline(stack, "explain", charges[0]["charge_id"], role="auditor")
    assert explained.returncode == 0, explained.stderr
    assert "150 off-hours" in explained.stdout and "billable 150 min" in explained.stdout
    as_json = hotline(stack, "invoice", "--customer", "Acme Corp", "--month", month, "--format", "json")
    assert json.loads(as_json.stdout)["status"] == "draft"


async def test_a_p4_ticket_is_quoted_to_its_contact(stack):
    number = f"T-8{random.randrange(10**6):06d}"
    await publish(stack, topics.TICKETS, envelope(opened(number, priority=4, contact="pat@acme.example"),
                                                  source="billing-test",
                                                  position=random.randrange(10**9)))

    async def quoted():
        done = hotline(stack, "quote", "create", number, "--amount", "120.00", "--description",
                       "Add a VLAN", "--json")
        return done if done.returncode == 0 or "unknown_ticket" not in done.stderr else None
    created = await until(quoted)
    assert created.returncode == 0, created.stderr
    quote = json.loads(created.stdout)
    assert (quote["contact"], quote["amount"], quote["status"]) == ("pat@acme.example", "120.00", "open")
    approved = hotline(stack, "quote", "approve", quote["quote_id"], "--json")
    assert json.loads(approved.stdout)["status"] == "approved"
    records = await subject_records(stack.kafka_bootstrap, topics.BILLING, number, 3)
    assert sorted(headers_dict(r)["ce_type"] for r in records) == [
        "hotline.billing.charge-booked.v1", "hotline.billing.quote-created.v1",
        "hotline.billing.quote-decided.v1"]
    refused = hotline(stack, "quote", "reject", quote["quote_id"])
    assert refused.returncode == 1 and "quote_approved" in refused.stderr
