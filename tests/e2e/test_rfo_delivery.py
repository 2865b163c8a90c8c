"""The Reason for Outage, delivered through the running stack: `hotline ticket rfo T-… --file`
records its text, notifier emails it to the ticket's customer contact, and the RFO clock stops
when that email is sent, not when the text was recorded."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness import headers_dict, kafka_messages, subject_records

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))


def hotline(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**stack.env, "HOTLINE_INTAKE_URL": stack.url("intake")}
    return subprocess.run([HOTLINE, *args], env=env, capture_output=True, text=True, timeout=60)


async def test_an_rfo_file_is_emailed_to_the_contact_and_stops_the_rfo_clock_when_sent(stack, tmp_path):
    since = stack.mail_count()
    assert hotline(stack, "clock", "set", "2026-11-30T09:00:00-08:00").returncode == 0
    async with stack.client("intake", "agent") as client:
        opened = await client.post("/tickets", json={
            "customer": "Acme Corp", "location": "100 Main St, Springfield", "issue": "All lines down",
            "description": "No dial tone", "priority": 1, "contact": "noc@acme.example"})
        number = opened.json()["number"]
        assert (await client.post(f"/tickets/{number}/resolve")).status_code == 200
    rfo = tmp_path / "rfo.md"
    rfo.write_text("# Reason for Outage\n\nA carrier trunk in Springfield failed at 08:55.\n")
    done = hotline(stack, "ticket", "rfo", number, "--file", str(rfo))
    assert done.returncode == 0, done.stderr
    mails = await stack.wait_for_mail(lambda m: number in (m["Subject"] or "") and "Reason for Outage" in m["Subject"],
                                      since=since, timeout=30)
    assert mails[0]["To"] == "noc@acme.example"
    assert "A carrier trunk in Springfield failed at 08:55." in mails[0].get_body(("plain",)).get_content()

    async def rfo_met() -> list[dict]:
        return [json.loads(r.value) for r in await kafka_messages(stack.kafka_bootstrap, "hotline.sla.v1")
                if headers_dict(r).get("ce_subject") == number
                and headers_dict(r)["ce_type"] == "hotline.sla.deadline-met.v1"
                and json.loads(r.value)["clock"] == "rfo"]

    met = await rfo_met()
    for _ in range(60):
        if met:
            break
        await asyncio.sleep(0.5)
        met = await rfo_met()
    assert len(met) == 1
    sent = [json.loads(r.value) for r in await subject_records(stack.kafka_bootstrap, "hotline.notifications.v1", number, 2)
            if headers_dict(r)["ce_type"] == "hotline.notification.sent.v1" and json.loads(r.value)["kind"] == "rfo"]
    assert met[0]["stopped_at"] == sent[0]["sent_at"]
