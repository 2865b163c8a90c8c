"""Outbound email through an SMTP relay (aiosmtplib).

Errors are split into permanent (the relay refused the recipient or message:
5xx) and transient (connection trouble, 4xx), so the dispatcher knows whether
to try again.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import aiosmtplib


class PermanentDeliveryError(Exception):
    pass


class TransientDeliveryError(Exception):
    pass


class SmtpSender:
    def __init__(self, smtp_url: str, from_address: str) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"HOTLINE_SMTP_URL must be smtp:// or smtps://, not {smtp_url!r}")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.use_tls = parts.scheme == "smtps"
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.from_address = from_address

    def compose(self, *, recipient: str, subject: str, body: str, message_id: str,
                headers: dict[str, str] | None = None) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = recipient
        message["Subject"] = subject
        message["Message-ID"] = message_id
        message["Date"] = formatdate(localtime=False)
        message["Auto-Submitted"] = "auto-replied"
        for name, value in (headers or {}).items():
            message[name] = value
        message.set_content(body)
        return message

    async def send(self, message: EmailMessage) -> None:
        try:
            await aiosmtplib.send(
                message, hostname=self.host, port=self.port, use_tls=self.use_tls,
                username=self.username, password=self.password, timeout=30,
            )
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise PermanentDeliveryError(f"{exc.code} {exc.message}") from exc
            raise TransientDeliveryError(f"{exc.code} {exc.message}") from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentDeliveryError(str(exc)) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransientDeliveryError(str(exc) or type(exc).__name__) from exc
