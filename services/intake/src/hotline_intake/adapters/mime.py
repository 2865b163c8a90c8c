"""Raw RFC 5322 bytes -> `InboundEmail`: sender, decoded subject, body text and the attachments
recorded by name and size, or `EmailRejected` with a reason code and whatever could still be read
(the sender above all) so the caller can reply.

Decisions:
* The size limit is checked first, on the raw bytes; the headers are still read for the reply.
* The sender is the first address of From: (lowercased); Sender:, Reply-To: and the SMTP
  envelope are not consulted here.
* The body is the text/plain part if there is one, else the text/html part reduced to text. Text
  parts are decoded strictly in their declared charset, or UTF-8 when none is declared.
* Every other leaf part (and any attached message/*) is an attachment; the content is dropped.
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesHeaderParser, BytesParser
from typing import NamedTuple

import html2text

from hotline_intake.domain.rejection import (
    REJECTION_EXPLANATIONS,
    IntakeRejection,
    RejectionReason,
)

__all__ = [
    "REJECTION_EXPLANATIONS",
    "Attachment",
    "EmailRejected",
    "InboundEmail",
    "parse_email",
]

MIB = 1024 * 1024

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_STRUCTURAL_DEFECTS = (
    email_errors.NoBoundaryInMultipartDefect,
    email_errors.StartBoundaryNotFoundDefect,
    email_errors.MultipartInvariantViolationDefect,
)


class Attachment(NamedTuple):
    """An attachment as recorded on the ticket: never its content."""

    filename: str
    size: int  # bytes of the decoded payload
    content_type: str


@dataclass(frozen=True)
class InboundEmail:
    """An email that can be read: what intake needs to open (or refuse) a ticket."""

    sender: str
    sender_name: str | None
    subject: str
    message_id: str | None
    body: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    size: int = 0


class EmailRejected(IntakeRejection):
    """The email cannot become a ticket. Carries what could be read, for the reply."""

    def __init__(
        self,
        reason_code: RejectionReason,
        message: str,
        *,
        sender: str | None = None,
        sender_name: str | None = None,
        subject: str | None = None,
        message_id: str | None = None,
        size: int | None = None,
    ) -> None:
        super().__init__(reason_code, message)
        self.sender = sender
        self.sender_name = sender_name
        self.subject = subject
        self.message_id = message_id
        self.size = size


@dataclass(frozen=True)
class _Headers:
    sender: str | None
    sender_name: str | None
    subject: str | None
    message_id: str | None
    size: int

    def reject(self, reason: RejectionReason, message: str) -> EmailRejected:
        return EmailRejected(
            reason,
            message,
            sender=self.sender,
            sender_name=self.sender_name,
            subject=self.subject,
            message_id=self.message_id,
            size=self.size,
        )


def parse_email(raw: bytes, *, max_bytes: int) -> InboundEmail:
    """Read one email, or raise `EmailRejected` (reason, message and best-effort headers)."""
    head_message = _parse_headers(raw)
    headers = _read_headers(head_message, size=len(raw))
    if len(raw) > max_bytes:
        raise headers.reject(
            RejectionReason.OVERSIZED,
            f"the email is {_mib(len(raw))}; the limit is {_mib(max_bytes)}",
        )
    if not raw.strip():
        raise headers.reject(RejectionReason.MALFORMED, "the email is empty")
    if head_message is None or not head_message.keys():
        raise headers.reject(RejectionReason.MALFORMED, "the data has no email header fields")
    if headers.sender is None:
        raise headers.reject(
            RejectionReason.NO_SENDER, "the From: header is missing or has no valid address"
        )
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; whatever escapes it is unreadable input
        raise headers.reject(
            RejectionReason.MALFORMED, f"the email cannot be parsed: {exc}"
        ) from exc
    for part in message.walk():
        if any(isinstance(defect, _STRUCTURAL_DEFECTS) for defect in part.defects):
            raise headers.reject(
                RejectionReason.MALFORMED,
                f"the {part.get_content_type()} structure is broken (boundary missing or wrong)",
            )

    body_part = message.get_body(preferencelist=("plain", "html"))
    body = _body_text(body_part, message, headers) if body_part is not None else ""
    if not body:
        raise headers.reject(
            RejectionReason.EMPTY_BODY,
            "the email has no text describing the problem (attachments alone do not count)",
        )
    return InboundEmail(
        sender=headers.sender,
        sender_name=headers.sender_name,
        subject=headers.subject or "",
        message_id=headers.message_id,
        body=body,
        attachments=tuple(_attachments(message, body_part)),
        size=len(raw),
    )


def _parse_headers(raw: bytes) -> EmailMessage | None:
    end = _HEADER_END.search(raw)
    head = raw[: end.end()] if end else raw
    try:
        parsed = BytesHeaderParser(policy=policy.default).parsebytes(head)
    except Exception:  # noqa: BLE001 - best effort: a reply address is a bonus, not a promise
        return None
    return parsed  # type: ignore[return-value]


def _read_headers(message: EmailMessage | None, *, size: int) -> _Headers:
    if message is None:
        return _Headers(None, None, None, None, size)
    sender, sender_name = _sender(message)
    return _Headers(
        sender=sender,
        sender_name=sender_name,
        subject=_header_text(message, "Subject"),
        message_id=_header_text(message, "Message-ID"),
        size=size,
    )


def _sender(message: EmailMessage) -> tuple[str | None, str | None]:
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
    except Exception:  # noqa: BLE001 - header classes raise assorted errors on garbage
        return None, None
    for address in addresses:
        if address.username and address.domain:
            email = _clean(address.addr_spec).lower()
            if " " not in email:
                return email, _clean(address.display_name) or None
    return None, None


def _header_text(message: EmailMessage, name: str) -> str | None:
    try:
        value = message[name]
    except Exception:  # noqa: BLE001 - header classes raise assorted errors on garbage
        return None
    if value is None:
        return None
    return " ".join(_clean(str(value)).split()) or None


def _clean(text: str) -> str:
    """Undo the parser's surrogate escapes of raw 8-bit header bytes (read as UTF-8)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _body_text(part: Message, message: EmailMessage, headers: _Headers) -> str:
    text = _decode_text(part, message, headers)
    if part.get_content_subtype() == "html":
        text = _html_to_text(text)
    return _normalise_whitespace(text)


def _decode_text(part: Message, message: EmailMessage, headers: _Headers) -> str:
    payload = part.get_payload(decode=True) or b""
    declared = part.get_content_charset()
    charset = declared or "utf-8"
    try:
        return payload.decode(charset)
    except LookupError:
        problem = f"declares the unknown charset {declared!r}"
    except UnicodeDecodeError as exc:
        expected = declared or "UTF-8 (no charset declared)"
        problem = f"has bytes that are not valid {expected} at offset {exc.start}"
    raise headers.reject(RejectionReason.NOT_UTF8, f"the {_describe(part, message)} {problem}")


def _describe(part: Message, message: EmailMessage) -> str:
    if part is message:
        return f"{part.get_content_type()} body"
    number = next(i for i, candidate in enumerate(message.walk()) if candidate is part)
    return f"{part.get_content_type()} part (MIME part {number})"


def _html_to_text(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0  # no re-wrapping: logs and traceroutes keep their lines
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.unicode_snob = True
    return converter.handle(html)


def _normalise_whitespace(text: str) -> str:
    """Trailing spaces and runs of blank lines go; indentation inside lines stays (logs)."""
    lines = [line.replace("\xa0", " ").rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _attachments(message: EmailMessage, body_part: Message | None) -> list[Attachment]:
    found: list[Attachment] = []
    for part in _leaves(message):
        if part is body_part or _is_alternative_text(part):
            continue
        found.append(
            Attachment(
                filename=_filename(part, len(found) + 1),
                size=_decoded_size(part),
                content_type=part.get_content_type(),
            )
        )
    return found


def _leaves(part: Message):
    """Leaf parts in order; an attached message counts as one leaf, not descended into."""
    if part.get_content_maintype() == "multipart" and part.is_multipart():
        for sub in part.get_payload():
            yield from _leaves(sub)
    else:
        yield part


def _is_alternative_text(part: Message) -> bool:
    return (
        part.get_content_type() in {"text/plain", "text/html"}
        and not part.get_filename()
        and part.get_content_disposition() != "attachment"
    )


def _filename(part: Message, number: int) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001 - a garbled name still leaves an attachment to record
        name = None
    if name and name.strip():
        return _clean(name.strip())
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"unnamed-{number}{extension}"


def _decoded_size(part: Message) -> int:
    try:
        if part.is_multipart():  # message/rfc822 and friends: the attached message as sent
            return len(part.get_payload(0).as_bytes())
        return len(part.get_payload(decode=True) or b"")
    except Exception:  # noqa: BLE001 - an undecodable attachment is still recorded
        return 0


def _mib(size: int) -> str:
    return f"{size / MIB:.1f} MiB ({size:,} bytes)"
