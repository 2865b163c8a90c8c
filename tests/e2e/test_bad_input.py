"""Bad input loses nothing and gets an answer: no ticket, a reply to the sender saying what
was wrong and the expected subject format, and a rejection event kept for audit."""

from __future__ import annotations

import asyncio
import json
from email.message import EmailMessage

import pytest

from smtp_client import email, send
from harness import headers_dict, kafka_messages

pytestmark = pytest.mark.e2e
FORMAT_LINE = "CUSTOMER Name – Location Address – Issue Description – Priority Level"


def non_utf8() -> bytes:
    return (b"From: noc@acme.example\r\nTo: support@hotline.example\r\n"
            b"Subject: Acme Corp \xe2\x80\x93 100 Main St, Springfield \xe2\x80\x93 Echo \xe2\x80\x93 P2\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xe9 line \xff\xfe broken\r\n")


def oversized() -> EmailMessage:
    message = email(subject="Acme Corp – 100 Main St, Springfield – Big capture – P2")
    message.add_attachment(b"\0" * (8 * 1024 * 1024), maintype="application",
                           subtype="octet-stream", filename="capture.pcap")
    return message  # base64 makes it about 10.8 MiB, over the 10 MiB default


CASES = {
    "unknown_sender": (email(sender="eve@evil.example"), "eve@evil.example"),
    "unknown_customer": (email(subject="Initech – 1 Loop Rd – Outage – P1"), "noc@acme.example"),
    "malformed_subject": (email(subject="help!!! nothing works"), "noc@acme.example"),
    "empty_body": (email(body="   \n"), "noc@acme.example"),
    "not_utf8": (non_utf8(), "noc@acme.example"),
    "oversized": (oversized(), "noc@acme.example"),
}


async def rejection_events(stack, reason: str, sender: str) -> list[dict]:
    deadline = asyncio.get_running_loop().time() + 20
    while True:
        records = await kafka_messages(stack.kafka_bootstrap, "hotline.tickets.v1")
        found = [json.loads(r.value) for r in records
                 if headers_dict(r)["ce_type"] == "hotline.submission.rejected.v1"]
        found = [b for b in found if b["reason"] == reason and b["sender"] == sender]
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.3)


@pytest.mark.parametrize("reason", list(CASES))
async def test_bad_email_gets_a_reply_and_an_audit_event_but_no_ticket(stack, reason):
    message, sender = CASES[reason]
    since = stack.mail_count()
    code, reply = await asyncio.to_thread(send, stack, message, sender)
    assert code == 250, reply
    assert f"not a ticket ({reason})" in reply

    [answer] = await stack.wait_for_mail(lambda m: m["To"] == sender, since=since)
    text = answer.get_content()
    assert "could not open a support ticket" in text
    assert FORMAT_LINE in text
    events = await rejection_events(stack, reason, sender)
    assert events, f"no {reason} rejection event"
    assert events[-1]["detail"] in text  # the reply says what was wrong


async def test_an_email_too_large_for_smtp_is_refused_at_the_door(stack):
    message = email()
    message.add_attachment(b"\0" * (16 * 1024 * 1024), maintype="application",
                           subtype="octet-stream", filename="huge.bin")
    code, reply = await asyncio.to_thread(send, stack, message)
    assert code == 552, reply  # the sending server bounces it to the sender
