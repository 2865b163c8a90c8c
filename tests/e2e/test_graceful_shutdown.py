"""SIGTERM under load, through the running stack: intake is stopped while 10 clients keep
emailing, and the notifier while it sends their confirmations. Each exits 0 after finishing
what it held (intake answers 421 meanwhile, and the clients retry, as mail servers do); once
both are back, every email is exactly one ticket, one `TicketOpened` on hotline.tickets.v1
(no ce_id twice) and one confirmation in the sink."""

from __future__ import annotations

import asyncio
import json
import signal
import smtplib
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness import headers_dict, kafka_messages
from smtp_client import email, send
from stack_cli import set_clock

pytestmark = pytest.mark.e2e
EMAILS, CLIENTS = 60, 10


def deliver(stack, i: int, run: str) -> tuple[str, int]:
    """Send email `i` until intake takes it (250), retrying 421/451 and refused connections."""
    message = email(subject=f"Acme Corp – 100 Main St, Springfield – Shutdown load {run} #{i} – Priority 3")
    message["Message-ID"] = f"<shutdown-{run}-{i}@acme.example>"
    tries = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        tries += 1
        try:
            code, reply = send(stack, message)
        except (OSError, smtplib.SMTPException):
            code, reply = 0, "connection"
        if code == 250:
            return reply, tries
        time.sleep(0.2)
    raise AssertionError(f"email {i} never accepted (last: {code} {reply})")


async def sigterm(stack, name: str) -> str:
    """SIGTERM `name`, wait for it to exit, check it exited 0 after draining; start it again."""
    proc = stack.supervisor[name].proc
    proc.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(proc.wait, 60)
    log = stack.log(name, 400)
    assert code == 0, f"{name} exited {code}:\n{log[-3000:]}"
    assert f"{name} stopped" in log and "cut off at the grace period" not in log, log[-3000:]
    await stack.stop(name)  # reap
    await stack.start(name)
    return log


async def test_sigterm_under_load_loses_and_doubles_nothing(stack):
    set_clock(stack, "2026-12-10T10:00:00-08:00")
    since = stack.mail_count()
    run = str(int(time.time()))
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(CLIENTS) as pool:
        sending = [loop.run_in_executor(pool, deliver, stack, i, run) for i in range(EMAILS)]
        while sum(f.done() for f in sending) < EMAILS // 4:
            await asyncio.sleep(0.05)
        await sigterm(stack, "intake")
        while sum(f.done() for f in sending) < EMAILS * 3 // 4:
            await asyncio.sleep(0.05)
        await sigterm(stack, "notifier")
        results = await asyncio.gather(*sending)
    assert any(tries > 1 for _, tries in results), "no email met the shutdown: the test proved nothing"
    numbers = {reply.split("ticket ")[1].split()[0] for reply, _ in results}
    assert len(numbers) == EMAILS  # 250 for each, one ticket each (a retry after 250 is a duplicate)

    confirmations: Counter[str] = Counter()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        confirmations = Counter(n for m in stack.mails(since) for n in numbers if n in (m["Subject"] or ""))
        if len(confirmations) == EMAILS:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)  # quiet period: a late duplicate would land now
    confirmations = Counter(n for m in stack.mails(since) for n in numbers if n in (m["Subject"] or ""))
    assert set(confirmations) == numbers and set(confirmations.values()) == {1}, confirmations

    records = await kafka_messages(stack.kafka_bootstrap, "hotline.tickets.v1")
    ours = [r for r in records if headers_dict(r).get("ce_subject") in numbers]
    ids = Counter(headers_dict(r)["ce_id"] for r in ours)
    assert max(ids.values()) == 1, [i for i, n in ids.items() if n > 1]
    opened = Counter(json.loads(r.value)["ticket_number"] for r in ours
                     if headers_dict(r)["ce_type"] == "hotline.ticket.opened.v1")
    assert set(opened) == numbers and set(opened.values()) == {1}
