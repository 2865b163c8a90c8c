"""The sign-in link email, sent by intake itself through the SMTP relay (`HOTLINE_SMTP_URL`).

A sign-in link is a secret: it is not published on Kafka (where other systems subscribe) for
the notifier to send, but handed straight to the relay. From: the first of Hotline's own
addresses (`HOTLINE_INTAKE_OWN_ADDRESSES`), as the notifier's emails.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

import aiosmtplib
from hotline.settings import smtp_tls


class LinkMailer:
    def __init__(self, smtp_url: str, from_address: str, timeout: float = 20.0) -> None:
        parts = urlsplit(smtp_url)
        # smtps://: TLS from the start (port 465); smtp://: STARTTLS when the relay offers it,
        # required with ?starttls=true (refused with ?starttls=false)
        self.use_tls, self.start_tls = smtp_tls(smtp_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if self.use_tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.from_address = from_address
        self.timeout = timeout

    async def send(self, to: str, link: str, expires_at: datetime, zone_name: str) -> None:
        """Raises `aiosmtplib.SMTPException` or `OSError` when the relay refuses or is away."""
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = to
        message["Subject"] = "Your Hotline sign-in link"
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain="hotline.portal")
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(
            "Hello,\n\nto sign in to the Hotline customer portal, open this link:\n\n"
            f"  {link}\n\nIt works once, until {expires_at:%a %Y-%m-%d %H:%M} ({zone_name}). If you did "
            "not ask for it, ignore this email: nobody can sign in without it.\n\n-- \nHotline support\n")
        await aiosmtplib.send(message, hostname=self.host, port=self.port, username=self.username,
                              password=self.password, timeout=self.timeout,
                              start_tls=self.start_tls, use_tls=self.use_tls)
