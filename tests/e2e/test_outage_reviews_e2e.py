"""Outage reviews and billing through the running stack, on the simulated clock: an emailed P1
on a Saturday at 02:00 Pacific opens a review; work is logged and the outcome recorded with the
CLI; billing books the charge on hotline.billing.v1 and the month's invoice; a re-review as
provider at fault credits it back to $0.00. Roles: agents log work, only reviewers record."""

from __future__ import annotations

import asyncio
import json

import pytest
from harness import headers_dict, subject_records
from smtp_client import email, send, ticket_number
from stack_cli import hotline, ok, set_clock  # noqa: E402

pytestmark = pytest.mark.e2e
TICKET_P4 = {"customer": "Acme Corp", "location": "100 Main St, Springfield",
             "issue": "Add a hunt group", "description": "Eight lines, round robin.", "priority": 4,
             "contact": "noc@acme.example"}
P1 = "Acme Corp – 100 Main St, Springfield – All lines down after power cut – Priority 1"


async def types_on(stack, topic: str, number: str, count: int) -> list[str]:
    records = await subject_records(stack.kafka_bootstrap, topic, number, count)
    return [headers_dict(r)["ce_type"] for r in records]


async def p1_on_saturday_night(stack) -> str:
    set_clock(stack, "2026-11-28T02:00:00-08:00")
    code, reply = await asyncio.to_thread(send, stack, email(subject=P1))
    assert code == 250, reply
    return ticket_number(reply)


async def test_an_off_hours_p1_is_reviewed_agents_log_work_and_only_reviewers_record(stack):
    number = await p1_on_saturday_night(stack)
    assert await types_on(stack, "hotline.reviews.v1", number, 1) == ["hotline.review.opened.v1"]
    set_clock(stack, "2026-11-28T05:00:00-08:00")
    logged = json.loads(ok(hotline(
        stack, "worklog", "add", number, "--start", "2026-11-28T02:10:00-08:00",
        "--end", "2026-11-28T04:40:00-08:00", "--by", "alice@hotline.example",
        "--note", "Replaced the line card", "--json", role="agent")))
    assert logged["work_log"][0]["off_hours_minutes"] == 150
    overlap = hotline(stack, "worklog", "add", number, "--start", "2026-11-28T04:00:00-08:00",
                      "--end", "2026-11-28T04:50:00-08:00", "--by", "alice@hotline.example",
                      "--note", "again", role="agent")
    assert overlap.returncode == 1 and "overlapping_work" in overlap.stderr
    ok(hotline(stack, "ticket", "resolve", number, role="agent"))
    refused = hotline(stack, "review", "record", number, "--outcome", "carrier", "--reason", "x",
                      role="agent")
    assert refused.returncode == 1 and "403" in refused.stderr
    ok(hotline(stack, "review", "record", number, "--outcome", "customer-equipment",
               "--reason", "The customer's PBX power supply failed", role="reviewer"))
    shown = ok(hotline(stack, "review", "show", number, role="auditor"))
    assert "150 min, 150 off-hours" in shown and "customer-equipment" in shown
    assert "Sat 2026-11-28 02:10 PST" in shown
    assert await types_on(stack, "hotline.reviews.v1", number, 3) == [
        "hotline.review.opened.v1", "hotline.review.work-logged.v1", "hotline.review.recorded.v1"]


async def billing_types(stack, number: str, count: int) -> list[str]:
    return await types_on(stack, "hotline.billing.v1", number, count)


def invoice(stack) -> dict:
    return json.loads(ok(hotline(stack, "billing", "invoice", "--customer", "Globex Telecom",
                                 "--month", "2026-11", "--format", "json", role="auditor")))


async def test_a_customer_caused_off_hours_p1_is_charged_and_a_re_review_credits_it(stack):
    set_clock(stack, "2026-11-28T02:00:00-08:00")
    code, reply = await asyncio.to_thread(send, stack, email(
        subject="Globex Telecom – 42 Harbor Rd, Shelbyville – Calls drop after 30 s – Priority 1",
        sender="support@globex.example"))
    assert code == 250, reply
    number = ticket_number(reply)
    assert await types_on(stack, "hotline.reviews.v1", number, 1) == ["hotline.review.opened.v1"]
    set_clock(stack, "2026-11-28T05:00:00-08:00")
    ok(hotline(stack, "worklog", "add", number, "--start", "2026-11-28T02:10:00-08:00",
               "--end", "2026-11-28T04:40:00-08:00", "--by", "alice@hotline.example",
               "--note", "Traced it to the customer's SBC", role="agent"))
    ok(hotline(stack, "ticket", "resolve", number, role="agent"))
    ok(hotline(stack, "review", "record", number, "--outcome", "customer-equipment",
               "--reason", "The customer's SBC dropped the sessions", role="reviewer"))

    assert await billing_types(stack, number, 1) == ["hotline.billing.charge-booked.v1"]
    [record] = await subject_records(stack.kafka_bootstrap, "hotline.billing.v1", number, 1)
    charge = json.loads(record.value)
    assert (charge["amount"], charge["currency"], charge["month"]) == ("250.00", "USD", "2026-11")
    assert record.key == number.encode()
    bill = invoice(stack)
    assert bill["status"] == "draft" and bill["total"] == "250.00"
    assert [(line["ticket"], line["amount"]) for line in bill["lines"]] == [(number, "250.00")]
    explained = ok(hotline(stack, "billing", "explain", charge["charge_id"], role="auditor"))
    assert "customer-equipment" in explained and "150" in explained

    ok(hotline(stack, "review", "record", number, "--outcome", "provider-at-fault",
               "--reason", "Our SBC profile was wrong after all", role="reviewer"))
    assert await billing_types(stack, number, 3) == [
        "hotline.billing.charge-booked.v1", "hotline.billing.credit-booked.v1",
        "hotline.billing.no-charge.v1"]
    bill = invoice(stack)
    assert bill["total"] == "0.00" and sorted(line["amount"] for line in bill["lines"]) == [
        "-250.00", "250.00"]


async def test_a_p4_quote_is_emailed_to_the_contact_and_only_its_approval_is_charged(stack):
    set_clock(stack, "2026-11-30T09:00:00-08:00")
    async with stack.client("intake", role="agent") as client:
        opened = await client.post("/tickets", json=TICKET_P4)
    assert opened.status_code == 201, opened.text
    number = opened.json()["number"]
    for _ in range(100):  # billing learns the ticket from hotline.tickets.v1
        created = hotline(stack, "billing", "quote", "create", number, "--amount", "250.00",
                          "--description", "Configure a hunt group of 8 lines", "--json")
        if "unknown_ticket" not in created.stderr:
            break
        await asyncio.sleep(0.3)
    quote = json.loads(ok(created))
    [mail] = await stack.wait_for_mail(
        lambda m: number in (m["Subject"] or "") and "Quote" in (m["Subject"] or ""), timeout=30)
    assert mail["To"] == "noc@acme.example" and "250.00" in mail["Subject"]
    assert quote["quote_id"] in mail.get_body(("plain",)).get_content()
    assert json.loads(ok(hotline(stack, "billing", "charges", number, "--json", role="auditor"))) == []

    ok(hotline(stack, "billing", "quote", "approve", quote["quote_id"]))
    await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "approved" in (m["Subject"] or ""),
                              timeout=30)
    [charge] = json.loads(ok(hotline(stack, "billing", "charges", number, "--json", role="auditor")))
    assert (charge["kind"], charge["amount"]) == ("quote", "250.00")
    again = hotline(stack, "billing", "quote", "reject", quote["quote_id"])
    assert again.returncode == 1 and "approved" in again.stderr
    async with stack.client("intake", role="agent") as client:
        p2 = (await client.post("/tickets", json={**TICKET_P4, "priority": 2})).json()["number"]
    for _ in range(100):
        not_p4 = hotline(stack, "billing", "quote", "create", p2, "--amount", "1.00", "--description", "x")
        if "unknown_ticket" not in not_p4.stderr:
            break
        await asyncio.sleep(0.3)
    assert not_p4.returncode == 1 and "not_p4" in not_p4.stderr
