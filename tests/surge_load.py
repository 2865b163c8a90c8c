"""The outage-day load: tickets emailed over SMTP and opened over HTTP by many clients at once,
as patient senders do it, and the counts that say whether each became exactly one of everything.

Used by the surge benchmark (bench/surge_bench.py) and the fault tests (tests/faults/). The
clients behave like real senders under faults:

- an email answered `4xx` (intake's `451` while PostgreSQL is away) or cut off mid-conversation
  (intake killed) is sent again, with the same Message-ID: intake's submission log turns a copy
  of one it had already committed into `250 duplicate of ticket T-…`, never a second ticket;
- an HTTP request answered `503` (honouring `Retry-After`) or cut off is sent again with the
  same `Idempotency-Key`, which answers with the original ticket.

`Submitted` maps each submission (by its index) to its ticket number and the wall time of the
answer that named it. `confirmations` reads the sink: the confirmation files per ticket.
"""

from __future__ import annotations

import asyncio
import re
import smtplib
import threading
import time
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser

import httpx

from hotline.devstack import mailsink

NUMBER = re.compile(r"\bT-\d{6,}\b")
HEADERS = BytesHeaderParser(policy=policy.default)
DESCRIPTION = "All lines dead since 09:10; fast busy on every call. Call back on 555-0100."
GIVE_UP_SECONDS = 600.0  # a sender retries this long, then reports the submission as lost


@dataclass
class Submitted:
    """What the senders were told: {index: (ticket, wall time of the answer)} and what they
    were refused or never got an answer for (after `GIVE_UP_SECONDS` of retrying)."""

    tickets: dict[int, tuple[str, float]] = field(default_factory=dict)
    lost: list[str] = field(default_factory=list)
    retries: int = 0
    began: float = 0.0  # monotonic
    ended: float = 0.0

    @property
    def numbers(self) -> set[str]:
        return {number for number, _ in self.tickets.values()}

    @property
    def rate(self) -> float:
        return len(self.tickets) / max(self.ended - self.began, 1e-9)


def email_of(i: int, run: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "noc@acme.example"
    message["To"] = "support@hotline.example"
    message["Subject"] = f"Acme Corp – 100 Main St, Springfield – Surge {run} #{i} – Priority 1"
    message["Message-ID"] = f"<surge-{run}-{i}@acme.example>"
    message.set_content(DESCRIPTION)
    return message


def send_emails(smtp_address: tuple[str, int], run: str, count: int, clients: int) -> Submitted:
    """`count` emails through intake's SMTP listener over `clients` connections at once."""
    done = Submitted()
    lock = threading.Lock()
    # composed before the clock starts: the senders are elsewhere in a real surge, and composing
    # with the standard library's email package took a sixth of the load clients' CPU
    wire = policy.default.clone(linesep="\r\n")
    raws = [email_of(i, run).as_bytes(policy=wire) for i in range(count)]

    def client(slot: int) -> None:
        smtp: smtplib.SMTP | None = None
        for i in range(slot, count, clients):
            raw = raws[i]
            give_up = time.monotonic() + GIVE_UP_SECONDS
            while True:
                try:
                    if smtp is None:
                        smtp = smtplib.SMTP(*smtp_address, timeout=60)
                        smtp.ehlo()
                    smtp.mail("noc@acme.example")
                    smtp.rcpt("support@hotline.example")
                    code, text = smtp.data(raw)
                except smtplib.SMTPResponseException as refusal:
                    code, text = refusal.smtp_code, refusal.smtp_error
                    if smtp is not None:
                        try:
                            smtp.rset()
                        except (smtplib.SMTPException, OSError):
                            smtp = _closed(smtp)
                except (smtplib.SMTPException, OSError) as cut:  # intake away, or killed
                    code, text, smtp = 0, str(cut).encode(), _closed(smtp)
                found = NUMBER.search(text.decode(errors="replace"))
                if code == 250 and found:
                    with lock:
                        done.tickets[i] = (found.group(0), time.time())
                    break
                if code >= 500 or time.monotonic() > give_up:
                    with lock:
                        done.lost.append(f"email #{i}: {code} {text.decode(errors='replace')[:80]}")
                    break
                with lock:
                    done.retries += 1
                time.sleep(0.5)
        if smtp is not None:
            _closed(smtp)

    done.began = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    done.ended = time.monotonic()
    return done


def _closed(smtp: smtplib.SMTP | None) -> None:
    if smtp is not None:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
    return None


async def post_requests(base_url: str, token: str, run: str, count: int, clients: int) -> Submitted:
    """`count` tickets opened with `POST /tickets` by `clients` clients at once, each request
    retried with its own Idempotency-Key until it is answered."""
    done = Submitted()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base_url, timeout=60,
                                     headers={"Authorization": f"Bearer {token}"}) as http:
            while not queue.empty():
                i = queue.get_nowait()
                body = {"customer": "Acme Corp", "location": "100 Main St, Springfield",
                        "issue": f"Surge {run} HTTP #{i}", "description": DESCRIPTION,
                        "priority": 1, "contact": "noc@acme.example"}
                give_up = time.monotonic() + GIVE_UP_SECONDS
                while True:
                    wait = 0.5
                    try:
                        answer = await http.post("/tickets", json=body,
                                                 headers={"Idempotency-Key": f"surge-{run}-{i}"})
                    except httpx.TransportError as cut:
                        outcome = f"no answer: {type(cut).__name__}"
                    else:
                        if answer.status_code == 201:
                            done.tickets[i] = (answer.json()["number"], time.time())
                            break
                        outcome = f"{answer.status_code} {answer.text[:80]}"
                        if answer.status_code < 500 and answer.status_code != 429:
                            done.lost.append(f"request #{i}: {outcome}")
                            break
                        wait = min(float(answer.headers.get("Retry-After", "1") or 1), 5.0)
                    if time.monotonic() > give_up:
                        done.lost.append(f"request #{i}: {outcome}")
                        break
                    done.retries += 1
                    await asyncio.sleep(wait)

    done.began = time.monotonic()
    await asyncio.gather(*(client() for _ in range(clients)))
    done.ended = time.monotonic()
    return done


def confirmations(mail_dir, since: int, numbers: set[str],
                  read: dict | None = None) -> dict[str, list[tuple[float, str]]]:
    """Confirmation files in the sink per ticket of `numbers`: (mtime, Message-ID) of each.
    `read`: what earlier calls read, by path (the sink writes each file once), so a caller that
    polls reads each file once, not the whole sink on every poll."""
    read = {} if read is None else read
    found: dict[str, list[tuple[float, str]]] = {}
    for path in mailsink.list_messages(mail_dir)[since:]:
        if path not in read:
            with open(path, "rb") as f:
                headers = HEADERS.parse(f)
            match = NUMBER.search(str(headers.get("Subject") or ""))  # decoded (RFC 2047)
            read[path] = (match.group(0) if match else None, path.stat().st_mtime,
                          str(headers.get("Message-ID") or ""))
        number, mtime, message_id = read[path]
        if number in numbers:
            found.setdefault(number, []).append((mtime, message_id))
    return found


async def wait_for_confirmations(mail_dir, since: int, numbers: set[str], timeout: float,
                                 quiet: float = 3.0) -> dict[str, list[tuple[float, str]]]:
    """Wait until every ticket has a confirmation (or `timeout`), then a quiet period in which
    a duplicate would land, and count again."""
    deadline = time.monotonic() + timeout
    read: dict = {}
    while True:
        found = await asyncio.to_thread(confirmations, mail_dir, since, numbers, read)
        if len(found) >= len(numbers) or time.monotonic() > deadline:
            await asyncio.sleep(quiet)
            return await asyncio.to_thread(confirmations, mail_dir, since, numbers, read)
        await asyncio.sleep(1.0)


def once_each(counts: Counter[str] | dict[str, int], expected: Iterable[str]) -> bool:
    """True when every expected key was counted exactly once and nothing else was."""
    return set(counts) == set(expected) and set(counts.values()) <= {1}
