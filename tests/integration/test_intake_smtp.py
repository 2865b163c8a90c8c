"""Intake's SMTP listener in process (aiosmtpd on a free port, in-memory event store): the
answer to DATA for each outcome, an empty reverse-path as MAIL FROM:<>, and no 451 for bad
content."""

from __future__ import annotations

import asyncio
import smtplib

import pytest

from hotline_intake.entrypoints.smtp import start_smtp
from intake_fakes import ACME_NOC, LIMIT, NUL_CHARSET, email, make_submissions

pytestmark = pytest.mark.integration


def send(port: int, raw: bytes, mail_from: str) -> tuple[int, str]:
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail(mail_from)
        smtp.rcpt("support@hotline.example")
        code, text = smtp.data(raw)
    return code, text.decode()


async def test_each_outcome_is_answered_250_after_it_is_recorded():
    submissions = make_submissions()
    server = await start_smtp(submissions, "127.0.0.1", 0, LIMIT)
    port = server.sockets[0].getsockname()[1]
    try:
        cases = [
            (email(), ACME_NOC, "250 OK ticket T-000001 opened"),
            (email(), ACME_NOC, "duplicate of ticket T-000001"),
            (NUL_CHARSET, ACME_NOC, "not a ticket (not_utf8); a reply explains why"),
            (email(message_id="<bounce@x>"), "", "ignored (null_reverse_path)"),
            (b"\x00\xff garbage", ACME_NOC, "not a ticket (malformed)"),
        ]
        for raw, mail_from, expected in cases:
            code, reply = await asyncio.to_thread(send, port, raw, mail_from)
            assert code == 250 and expected in f"{code} {reply}", reply
    finally:
        server.close()
        await server.wait_closed()
        submissions.close()
