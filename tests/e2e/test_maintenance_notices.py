"""Maintenance notices through the running stack, on the simulated clock: `hotline maintenance`
refuses planned work at 23 hours' notice, accepts it as emergency work (and every notice says
so), and for planned work at 48 hours' notice each affected contact gets the notice, the
reminder and the completion notice once each; the window's events are on
`hotline.maintenance.v1`."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from harness import headers_dict, subject_records

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
MAINTENANCE = "hotline.maintenance.v1"
T0 = datetime.fromisoformat("2031-03-03T10:00:00-08:00")  # a Monday, after any other test's time
CONTACTS = {"noc@acme.example", "support@globex.example"}  # the demo directory's


def hotline(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**stack.env, "HOTLINE_NOTIFIER_URL": stack.url("notifier")}
    return subprocess.run([HOTLINE, *args], env=env, capture_output=True, text=True, timeout=60)


def set_clock(stack, at: datetime) -> None:
    done = hotline(stack, "clock", "set", at.isoformat())
    assert done.returncode == 0, done.stderr


def schedule(stack, lead: timedelta, *extra: str) -> subprocess.CompletedProcess:
    start = T0 + lead
    return hotline(stack, "maintenance", "schedule", "--start", start.isoformat(),
                   "--end", (start + timedelta(hours=2)).isoformat(), "--services", "core",
                   "--customers", "Acme Corp,Globex Telecom", "--reason", "Core switch upgrade",
                   "--json", *extra)


def text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def subject(message: EmailMessage) -> str:
    return " ".join(str(message["Subject"]).split())  # a long subject is folded


def about(window_id: str, kind: str = ""):
    return lambda m: window_id in text(m) and kind in subject(m)


async def test_planned_work_at_23_hours_notice_is_refused_and_emergency_work_says_so(stack):
    set_clock(stack, T0)
    refused = schedule(stack, timedelta(hours=23))
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert "422" in line and "insufficient_notice" in line and "24 hours' notice" in line

    since = stack.mail_count()
    accepted = schedule(stack, timedelta(hours=23), "--emergency")
    assert accepted.returncode == 0, accepted.stderr
    window = json.loads(accepted.stdout)
    assert window["emergency"] is True and window["status"] == "scheduled"
    notices = await stack.wait_for_mail(about(window["id"]), count=2, since=since, timeout=30)
    assert {m["To"] for m in notices} == CONTACTS
    for notice in notices:
        assert subject(notice).startswith("EMERGENCY maintenance of core services")
        assert "EMERGENCY maintenance" in text(notice)

    [record] = await subject_records(stack.kafka_bootstrap, MAINTENANCE, window["id"], 1)
    assert headers_dict(record)["ce_type"] == "hotline.maintenance.scheduled.v1"
    assert json.loads(record.value)["emergency"] is True


async def test_planned_work_notice_reminder_and_completion_arrive_once_per_contact(stack):
    set_clock(stack, T0)
    since = stack.mail_count()
    scheduled = schedule(stack, timedelta(hours=48))
    assert scheduled.returncode == 0, scheduled.stderr
    window = json.loads(scheduled.stdout)
    wid = window["id"]
    await stack.wait_for_mail(about(wid, "Planned maintenance of"), count=2, since=since, timeout=30)

    set_clock(stack, T0 + timedelta(hours=47))  # an hour before the start
    await stack.wait_for_mail(about(wid, "Reminder"), count=2, since=since, timeout=30)

    set_clock(stack, T0 + timedelta(hours=48))  # the start
    async with stack.client("notifier", "auditor") as client:
        for _ in range(100):
            shown = (await client.get(f"/maintenance/{wid[:8]}")).json()
            if shown["status"] == "started":
                break
            await asyncio.sleep(0.2)
    assert shown["status"] == "started"

    set_clock(stack, T0 + timedelta(hours=49))
    completed = hotline(stack, "maintenance", "complete", wid, "--note", "All switches upgraded")
    assert completed.returncode == 0, completed.stderr
    await stack.wait_for_mail(about(wid, "completed"), count=2, since=since, timeout=30)
    await asyncio.sleep(2)  # anything sent twice would arrive by now

    mails = [m for m in stack.mails(since) if wid in text(m)]
    kinds = Counter((m["To"], subject(m).split(":")[0]) for m in mails)
    assert kinds == Counter({(to, kind): 1 for to in CONTACTS for kind in (
        "Planned maintenance of core services", "Reminder",
        "Planned maintenance completed")}), kinds
    records = await subject_records(stack.kafka_bootstrap, MAINTENANCE, wid, 3)
    assert [headers_dict(r)["ce_type"].split(".")[2] for r in records] == [
        "scheduled", "started", "completed"]
    listed = hotline(stack, "maintenance", "list", "--status", "completed")
    assert listed.returncode == 0 and wid in listed.stdout
    async with stack.client("notifier", None) as client:  # both relays publishing, none blocked
        ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text

