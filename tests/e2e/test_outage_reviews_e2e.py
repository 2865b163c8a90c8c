"""Outage reviews and billing through the running stack, on the simulated clock: an emailed P1
on a Saturday at 02:00 Pacific opens a review; work is logged and the outcome recorded with the
CLI; billing books the charge on hotline.billing.v1 and the month's invoice; a re-review as
provider at fault credits it back to $0.00. Roles: agents log work, only reviewers record."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import headers_dict, subject_records
from smtp_client import email, send, ticket_number

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
P1 = "Acme Corp – 100 Main St, Springfield – All lines down after power cut – Priority 1"


def hotline(stack, *args: str, role: str = "admin") -> subprocess.CompletedProcess:
    env = {**stack.env, "HOTLINE_TOKEN": stack.tokens[role]}
    return subprocess.run([HOTLINE, *args], env=env, capture_output=True, text=True, timeout=60)


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stderr
    return done.stdout


def set_clock(stack, at: str) -> None:
    ok(hotline(stack, "clock", "set", at))


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
