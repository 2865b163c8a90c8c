"""Outbound email through an SMTP relay (aiosmtplib): composing a notification's email and
delivering it on a reused connection.

`SmtpSender.deliver(notification)` answers with the attempt's outcome (`Delivered` with the
server's reply line, or `Undelivered`, transient or permanent) or raises `RelayDown`; how each
failure is read is `smtp_replies`. Connections are kept open between messages (at most one per
concurrent delivery, `idle_limit`), so a burst does not pay a connection, EHLO and QUIT per
email; one idle for more than `RECHECK_AFTER` seconds is checked with NOOP before reuse, and
any connection an error came from is dropped. `probe()` asks whether the relay takes mail
again (connect, EHLO, MAIL FROM, RSET), without sending any.

Header values are made safe where the message is composed: free text (Subject, custom
`X-` headers) has control characters and line separators replaced and is cut to
`MAX_HEADER_CHARS`; a recipient that is not exactly one plain address, or a header name
that is not a plain field name, is refused (`UnsendableMessage`, permanent) rather than
letting a CR/LF split a header or a NUL reach the relay. The threading headers of an email in
a ticket's conversation, `In-Reply-To` and `References`, are the only others allowed: each keeps
only the `<id@domain>` tokens of its value (References at most `MAX_REFERENCES`, the first and
the latest). A notification with `html` becomes
multipart/alternative (text first, then HTML).
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
from dataclasses import dataclass
from email import policy
from email.charset import QP, Charset
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import Compat32
from email.utils import formataddr, formatdate
from urllib.parse import unquote, urlsplit
from uuid import uuid4

import aiosmtplib

from hotline.contracts.envelope import printable
from hotline.settings import smtp_tls
from hotline_notifier.adapters.smtp_replies import describe, outcome_of
from hotline_notifier.domain.delivery import Delivered, Outcome, RelayDown, Undelivered
from hotline_notifier.domain.notification import Notification

MAX_HEADER_CHARS = 250
RECHECK_AFTER = 10.0  # seconds idle after which a kept connection is checked before reuse
_FIELD_NAME = re.compile(r"X-[!-9;-~]{1,60}")  # printable ASCII but ':', RFC 5322 ftext
THREADING = {"in-reply-to": "In-Reply-To", "references": "References"}
MAX_REFERENCES = 20
_MSG_ID = re.compile(r"<[!-;=?-~]{1,250}@[!-;=?-~]{1,250}>")  # printable ASCII but '<', '>'


class WirePolicy(Compat32):
    """compat32, writing a header of printable ASCII that fits on one line as it is: what
    compat32 writes for it too (checked against it by a property test), without building an
    `email.header.Header` to fold it, a tenth of the notifier's CPU per email in the surge."""

    def fold_binary(self, name: str, value: object) -> bytes:
        if (isinstance(value, str) and value.isascii() and value.isprintable()
                and len(name) + 2 + len(value) <= self.max_line_length):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


WIRE_POLICY = WirePolicy(linesep="\r\n", max_line_length=998)
"""How a message goes to the relay: CRLF line ends; headers folded only past RFC 5322's 998
characters (a subject is at most 250), free text with other than ASCII as RFC 2047 encoded
words. Composed and flattened with the standard library's `email` package under its compat32
policy, which stores header values as given: the header registry of `policy.default` parsed
every value of every email again, most of the CPU an email cost (measured by `make bench`).
Folding at 78 would also have left a space before the fold ahead of an encoded word (an en
dash), which every reader then shows as two spaces."""

TEXT = Charset("utf-8")
TEXT.body_encoding = QP  # readable on the wire, and 7-bit safe


def wire_bytes(message: Message) -> bytes:
    """The message as it goes to the relay (compose never sets Bcc)."""
    return message.as_bytes(policy=WIRE_POLICY)


class UnsendableMessage(ValueError):
    """The message cannot be composed as given (a bad recipient or header name)."""


def header_text(value: str) -> str:
    """Free text as a header value: one line, no control characters, bounded."""
    return " ".join(printable(value, MAX_HEADER_CHARS).split())


def message_ids(value: str, limit: int) -> str:
    """The `<id@domain>` tokens of a threading header's value, space-separated: the first and
    the latest when there are more than `limit`."""
    found = _MSG_ID.findall(value)
    if len(found) > limit:
        found = found[:1] + found[len(found) - limit + 1:]
    return " ".join(found)


@dataclass(frozen=True)
class Mailbox:
    """One plain address: `addr_spec` for the envelope, `header` for To/From (a display name
    with other than ASCII as an encoded word). The address itself is ASCII: one that is not
    is a defect to the parser, refused (so SMTPUTF8 is never needed)."""

    addr_spec: str
    header: str


@functools.lru_cache(maxsize=4096)
def mailbox(value: str) -> Mailbox:
    """`value` if it is exactly one plain address (`Name <a@b>` or `a@b`), without defects;
    parsed once per distinct value (recipients repeat)."""
    parsed = policy.default.header_factory("To", value)
    [group, *more] = parsed.groups or [None]
    if (printable(value, len(value) + 1) != value or parsed.defects or more or group is None
            or group.display_name is not None or len(group.addresses) != 1
            or not group.addresses[0].domain):
        raise UnsendableMessage(f"invalid address {value[:100]!r}: not exactly one plain address")
    [address] = group.addresses
    return Mailbox(address.addr_spec, formataddr((address.display_name or "", address.addr_spec),
                                                 charset="utf-8"))


class SmtpSender:
    def __init__(self, smtp_url: str, from_address: str, *, timeout: float = 30.0,
                 idle_limit: int = 8) -> None:
        parts = urlsplit(smtp_url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"HOTLINE_SMTP_URL must be smtp:// or smtps://, not {smtp_url!r}")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        # smtps://: TLS from the start; smtp://: STARTTLS when offered, or required/refused
        # with ?starttls=true/false
        self.use_tls, self.start_tls = smtp_tls(smtp_url)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender = mailbox(from_address)  # From, and MAIL FROM
        self.envelope_from = self.sender.addr_spec
        self.timeout = timeout
        self.idle_limit = idle_limit
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []  # (connection, idle since)

    def compose(self, *, recipient: str, subject: str, body: str, message_id: str,
                headers: dict[str, str] | None = None, html: str | None = None) -> Message:
        """The email; raises UnsendableMessage for a bad recipient or custom header name."""
        to = mailbox(recipient)
        if html:
            # a random boundary of our own: the generator's would be checked against the body
            # with a regular expression compiled for each email
            message: Message = MIMEMultipart("alternative", boundary=f"=_hotline_{uuid4().hex}")
            for part in (MIMEText(body, "plain", TEXT), MIMEText(html, "html", TEXT)):
                del part["MIME-Version"]  # once, on the whole message
                message.attach(part)
        else:
            message = MIMEText(body, "plain", TEXT)
        message["From"] = self.sender.header
        message["To"] = to.header
        message["Subject"] = header_text(subject)
        message["Message-ID"] = header_text(message_id)
        message["Date"] = formatdate(localtime=False)
        message["Auto-Submitted"] = "auto-replied"
        for name, value in (headers or {}).items():
            threading = THREADING.get(name.lower())
            if threading is not None:
                ids = message_ids(value, 1 if threading == "In-Reply-To" else MAX_REFERENCES)
                if ids:
                    message[threading] = ids
                continue
            if not _FIELD_NAME.fullmatch(name):
                raise UnsendableMessage(f"invalid header name {name[:100]!r}")
            message[name] = header_text(value)
        return message

    def email_of(self, notification: Notification) -> Message:
        headers = {**(getattr(notification, "headers", None) or {}),
                   "X-Hotline-Notification": str(notification.id)}
        if notification.ticket_number:
            headers["X-Hotline-Ticket"] = notification.ticket_number
        return self.compose(recipient=notification.recipient, subject=notification.subject,
                            body=notification.body, message_id=notification.message_id,
                            headers=headers, html=notification.html)

    async def deliver(self, notification: Notification) -> Outcome:
        try:
            message = self.email_of(notification)
            to = mailbox(notification.recipient)  # cached by compose
        except UnsendableMessage as exc:
            return Undelivered(str(exc), permanent=True)
        return await self.send(message, to)

    async def send(self, message: Message, to: Mailbox) -> Outcome:
        """Hand `message` for `to` to the relay: its outcome, or RelayDown."""
        connection = await self._take()
        try:
            _, reply = await connection.sendmail(self.envelope_from, [to.addr_spec],
                                                 wire_bytes(message))
        except (aiosmtplib.SMTPException, OSError, ValueError) as exc:
            connection.close()  # whatever it was, this connection is not reused
            return outcome_of(exc)
        self._idle.append((connection, time.monotonic()))
        for extra, _ in self._idle[:-self.idle_limit]:  # more than the slots can use
            extra.close()
        del self._idle[:-self.idle_limit]
        return Delivered(" ".join(f"250 {reply}".split())[:500])

    async def probe(self) -> None:
        """Raise RelayDown unless the relay would take mail now (no message is sent). A relay
        that answers MAIL with a refusal other than 421 is up: each message gets its own
        outcome."""
        connection = await self._open()
        try:
            await connection.mail(self.envelope_from)
            await connection.rset()
        except (aiosmtplib.SMTPException, OSError) as exc:
            outcome_of(exc)  # raises RelayDown for the relay's trouble
        finally:
            with contextlib.suppress(Exception):
                await connection.quit()
            connection.close()

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for connection, _ in idle:
            connection.close()

    async def _take(self) -> aiosmtplib.SMTP:
        while self._idle:
            connection, since = self._idle.pop()
            if not connection.is_connected:
                continue
            if time.monotonic() - since > RECHECK_AFTER:
                try:
                    await connection.noop()
                except (aiosmtplib.SMTPException, OSError):
                    connection.close()
                    continue
            return connection
        return await self._open()

    async def _open(self) -> aiosmtplib.SMTP:
        connection = aiosmtplib.SMTP(hostname=self.host, port=self.port, use_tls=self.use_tls,
                                     start_tls=self.start_tls,
                                     username=self.username, password=self.password,
                                     timeout=self.timeout)
        try:
            await connection.connect()  # greeting, EHLO, STARTTLS when offered, AUTH
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise RelayDown(describe(exc)) from exc
        return connection
