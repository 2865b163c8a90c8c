"""Tamper evidence on the running stack: every service chains what it writes and anchors its
chain's head on `hotline.audit.v1` (at start and when it stops); `hotline audit verify` finds
all four chains intact and matching their anchors."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest
from harness import headers_dict, kafka_messages

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))
TICKET = {
    "customer": "Acme Corp", "location": "100 Main St, Springfield",
    "issue": "Audit trail", "description": "Chained and anchored.",
    "priority": 2, "contact": "noc@acme.example",
}


def verify(stack, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([HOTLINE, "audit", "verify", *args], env=stack.env,
                          capture_output=True, text=True, timeout=120)


async def test_every_chain_is_intact_and_matches_its_anchors(stack):
    async with stack.client("intake") as client:
        assert (await client.post("/tickets", json=TICKET)).status_code == 201
    await stack.stop("intake")  # a clean stop anchors the head once more
    await stack.start("intake")
    anchors = [json.loads(r.value) for r in await kafka_messages(stack.kafka_bootstrap,
                                                                 "hotline.audit.v1", min_count=1)]
    assert {"intake", "sla-timer", "notifier"} <= {a["service"] for a in anchors}
    assert all(headers_dict(r)["ce_type"] == "hotline.audit.chain-anchored.v1"
               for r in await kafka_messages(stack.kafka_bootstrap, "hotline.audit.v1"))

    result = await asyncio.to_thread(verify, stack, "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    reports = {r["service"]: r for r in json.loads(result.stdout)}
    assert set(reports) == {"intake", "sla-timer", "notifier", "billing"}
    assert all(r["intact"] for r in reports.values())
    assert reports["intake"]["chained"] >= 2 and reports["intake"]["anchors_checked"] >= 2
    intake_anchor = max(a["notification_id"] for a in anchors if a["service"] == "intake")
    assert intake_anchor <= reports["intake"]["head"]

    result = await asyncio.to_thread(verify, stack, "--service", "intake")
    assert result.returncode == 0 and result.stdout.startswith("intake: intact, ")
