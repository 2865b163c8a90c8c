"""Sending email to the running stack's intake listener, as a customer would."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage

ACME_SUBJECT = "Acme Corp – 100 Main St, Springfield – No dial tone on all lines – Priority 1"


def email(subject: str = ACME_SUBJECT, sender: str = "noc@acme.example",
          body: str = "All lines dead since 09:10. Call 555-0100.") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@hotline.example"
    message["Subject"] = subject
    message.set_content(body)
    return message


def send(stack, message: EmailMessage | bytes, sender: str | None = None) -> tuple[int, str]:
    """Send through intake's SMTP listener; returns the reply to DATA (code, text)."""
    if isinstance(message, bytes):
        raw = message
    else:  # smtplib sends bytes as they are, and SMTP lines end in CRLF
        raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    if sender is None and isinstance(message, EmailMessage):
        sender = message["From"]
    host, port = stack.intake_smtp
    with smtplib.SMTP(host, port, timeout=60) as smtp:
        smtp.ehlo()
        smtp.mail(sender or "")
        smtp.rcpt("support@hotline.example")
        code, text = smtp.data(raw)
    return code, text.decode()


def ticket_number(reply: str) -> str:
    match = re.search(r"ticket (T-\d{6,}) opened", reply)
    assert match, f"not a ticket: {reply}"
    return match.group(1)
