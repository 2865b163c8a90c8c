"""The single-writer lock lost under load: while tickets are being opened, the PostgreSQL sessions
holding intake's relay lock and notifier's dispatcher lock are terminated
(`pg_terminate_backend`). The holders notice and stop, the locks are taken again, and nothing
is published twice and no email sent twice: each ticket has one `TicketOpened` on
hotline.tickets.v1 and one confirmation in the mail sink."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

import psycopg
import pytest

from harness import headers_dict, kafka_messages

pytestmark = pytest.mark.e2e
TICKET = {"customer": "Acme Corp", "location": "100 Main St, Springfield", "issue": "Lock test",
          "description": "Opened while the writer locks are lost", "priority": 3,
          "contact": "noc@acme.example"}
LOCKS = {"intake": '"intake".log_positions:intake->hotline.tickets.v1',
         "notifier": '"notifier".log_positions:dispatcher'}
HOLDER = ("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
          "AND (classid::bigint << 32 | objid::bigint) = hashtext(%s)::bigint")


def terminate_holder(database_url: str, key: str) -> int:
    with psycopg.connect(database_url, autocommit=True) as conn:
        pids = [row[0] for row in conn.execute(HOLDER, (key,)).fetchall()]
        assert len(pids) == 1, f"one session should hold {key}: {pids}"
        conn.execute("SELECT pg_terminate_backend(%s)", (pids[0],))
        return pids[0]


async def test_writers_that_lose_their_lock_stop_and_nothing_is_sent_twice(stack):
    since = stack.mail_count()
    numbers: list[str] = []

    async def load() -> None:
        async with stack.client("intake", "agent") as client:
            for _ in range(40):
                response = await client.post("/tickets", json=TICKET)
                assert response.status_code == 201, response.text
                numbers.append(response.json()["number"])
                await asyncio.sleep(0.1)

    loading = asyncio.create_task(load())
    await asyncio.sleep(1.5)
    for key in LOCKS.values():
        await asyncio.to_thread(terminate_holder, stack.database_url, key)
    await loading

    confirmations = await stack.wait_for_mail(
        lambda m: any(n in (m["Subject"] or "") for n in numbers), count=len(numbers),
        since=since, timeout=90)
    await asyncio.sleep(6)  # a second holder would have started by now
    mails = [m for m in stack.mails(since) if any(n in (m["Subject"] or "") for n in numbers)]
    assert len(confirmations) == len(mails) == len(numbers)
    assert max(Counter(m["Message-ID"] for m in mails).values()) == 1

    wanted = set(numbers)
    opened = [r for r in await kafka_messages(stack.kafka_bootstrap, "hotline.tickets.v1", timeout=30)
              if headers_dict(r).get("ce_subject") in wanted
              and headers_dict(r)["ce_type"] == "hotline.ticket.opened.v1"]
    assert Counter(headers_dict(r)["ce_id"] for r in opened) == {
        headers_dict(r)["ce_id"]: 1 for r in opened}
    assert {json.loads(r.value)["ticket_number"] for r in opened} == wanted

    for service in LOCKS:
        assert "single-writer lock lost" in (stack.log_dir / f"{service}.log").read_text(), service
        async with stack.client(service, role=None) as client:
            for _ in range(100):
                if (await client.get("/readyz")).status_code == 200:
                    break
                await asyncio.sleep(0.2)
            assert (await client.get("/readyz")).status_code == 200
