"""`hotline republish`: a service's events sent again with their original ids, for a subscriber or
a broker that lost data; the subscribers ignore what they already applied (no second
confirmation, no second set of clocks)."""

from __future__ import annotations

import asyncio
import json

import pytest
from harness import headers_dict, kafka_messages, subject_records
from smtp_client import email, send, ticket_number
from stack_cli import hotline  # noqa: E402

pytestmark = pytest.mark.e2e
SUBJECT = "Acme Corp – 100 Main St, Springfield – Fax line hisses – Priority 3"


async def test_republished_events_keep_their_ids_and_change_nothing_downstream(stack):
    code, reply = await asyncio.to_thread(send, stack, email(subject=SUBJECT))
    number = ticket_number(reply)
    await stack.wait_for_mail(lambda m: number in (m["Subject"] or ""), timeout=30)
    [opened] = await subject_records(stack.kafka_bootstrap, "hotline.tickets.v1", number, 1)
    sla_before = await subject_records(stack.kafka_bootstrap, "hotline.sla.v1", number, 0, timeout=1)
    position = headers_dict(opened)["hotline_position"]

    refused = hotline(stack, "republish", "intake", "--from", position, role="agent")
    assert refused.returncode == 1 and "403" in refused.stderr
    done = hotline(stack, "republish", "intake", "--from", position, "--to", position,
                   "--topic", "hotline.tickets.v1", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [{"topic": "hotline.tickets.v1", "published": 1, "skipped": 0,
                                        "last_position": int(position), "present": 0}]
    twice = await subject_records(stack.kafka_bootstrap, "hotline.tickets.v1", number, 2)
    assert [headers_dict(r)["ce_id"] for r in twice] == [headers_dict(opened)["ce_id"]] * 2
    assert twice[0].value == twice[1].value and twice[0].key == twice[1].key

    await asyncio.sleep(3)  # a quiet period: whatever the subscribers would do, they did
    confirmations = [m for m in stack.mails() if number in (m["Subject"] or "")]
    assert len(confirmations) == 1
    sla_after = await subject_records(stack.kafka_bootstrap, "hotline.sla.v1", number, 0, timeout=1)
    assert len(sla_after) == len(sla_before)
    unknown = hotline(stack, "republish", "intake", "--from", "1", "--topic", "hotline.nope.v1")
    assert unknown.returncode == 1 and "unknown_topic" in unknown.stderr


async def test_republishing_what_is_missing_sends_nothing_the_topic_already_holds(stack):
    # After a broker lost data, `--missing` restores the topic with each ce_id once; on a topic
    # that lost nothing it sends nothing (the fault tests restart the broker for real).
    code, reply = await asyncio.to_thread(send, stack, email(subject=SUBJECT.replace("Fax", "Modem")))
    number = ticket_number(reply)
    await subject_records(stack.kafka_bootstrap, "hotline.tickets.v1", number, 1)
    done = hotline(stack, "republish", "intake", "--from", "1", "--missing", "--json")
    assert done.returncode == 0, done.stderr
    results = {r["topic"]: r for r in json.loads(done.stdout)}
    assert results["hotline.tickets.v1"]["published"] == 0
    assert results["hotline.tickets.v1"]["present"] >= 1
    records = await kafka_messages(stack.kafka_bootstrap, "hotline.tickets.v1")
    mine = [headers_dict(r)["ce_id"] for r in records if headers_dict(r).get("ce_subject") == number]
    assert len(mine) == len(set(mine)) >= 1
    said = hotline(stack, "republish", "intake", "--from", "1", "--missing")
    assert said.returncode == 0 and "already on the topic" in said.stdout, said.stderr
