"""Outbound email through an SMTP relay (aiosmtplib).

Errors are split into permanent (the relay refused the recipient or message:
5xx) and transient (connection trouble, 4xx), so the dispatcher knows whether
to try again.

Header values are made safe where the message is composed: free text (Subject, custom
`X-` headers) has control characters and line separators replaced and is cut to
`MAX_HEADER_CHARS`; a recipient that is not exactly one plain address, or a header name
that is not a plain field name, is refused (`UnsendableMessage`, permanent) rather than
letting a CR/LF split a header or a NUL reach the relay.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import aiosmtplib

from hotline.contracts.envelope import printable

MAX_HEADER_CHARS = 250
_FIELD_NAME = re.compile(r"X-[!-9;-~]{1,60}")  # printable ASCII but ':', RFC 5322 ftext


class PermanentDeliveryError(Exception):
    pass


class TransientDeliveryError(Exception):
    pass


class UnsendableMessage(PermanentDeliveryError):
    """The message cannot be composed as given (a bad recipient or header name)."""


def header_text(value: str) -> str:
    """Free text as a header value: one line, no control characters, bounded."""
    return " ".join(printable(value, MAX_HEADER_CHARS).split())


def mailbox(value: str) -> str:
    """`value` if it is exactly one plain address (`Name <a@b>` or `a@b`), without defects."""
    parsed = policy.default.header_factory("To", value)
    [group, *more] = parsed.groups or [None]
    if (printable(value, len(value) + 1) != value or parsed.defects or more or group is None
            or group.display_name is not None or len(group.addresses) != 1
            or not group.addresses[0].domain):
        raise UnsendableMessage(f"invalid address {value[:100]!r}: not exactly one plain address")
    return value


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
        self.from_address = mailbox(from_address)

    def compose(self, *, recipient: str, subject: str, body: str, message_id: str,
                headers: dict[str, str] | None = None) -> EmailMessage:
        """The email; raises UnsendableMessage for a bad recipient or custom header name."""
        message = EmailMessage()
        message["From"] = self.from_address
        message["To"] = mailbox(recipient)
        message["Subject"] = header_text(subject)
        message["Message-ID"] = header_text(message_id)
        message["Date"] = formatdate(localtime=False)
        message["Auto-Submitted"] = "auto-replied"
        for name, value in (headers or {}).items():
            if not _FIELD_NAME.fullmatch(name):
                raise UnsendableMessage(f"invalid header name {name[:100]!r}")
            message[name] = header_text(value)
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
