"""Reading an email's header on its own, best effort: it never raises, so a reply address, the
marks of automatic mail and the Message-ID are known even for an email that cannot be parsed.

* The sender is the first address of From: (lowercased); Sender:, Reply-To: and the SMTP
  envelope are not consulted. An address over 254 characters (RFC 5321) or with a space or a
  control character in it is no address.
* Text is bounded as events keep it: subject 998 characters on one line, Message-ID 255.
* In-Reply-To (its first msg-id) and References (its last 50 msg-ids), for threading replies
  into their ticket.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.parser import BytesHeaderParser

from hotline_intake.adapters.mime.header_cache import INBOUND
from hotline_intake.adapters.mime.message import EmailHeader
from hotline_intake.domain.fields import (
    CONTACT_MAX,
    MESSAGE_ID_MAX,
    SUBJECT_MAX,
    cut,
    is_control,
    one_line,
)

_HEADER_END = re.compile(rb"\r?\n\r?\n")
AUTHENTICATION_RESULTS_READ = 20  # more than any real path adds; the rest are ignored
REFERENCES_READ = 50  # the last ones: a thread's newest messages come last
_MSG_ID = re.compile(r"<[^<>\s]{1,253}>")


def read_header(raw: bytes) -> EmailHeader:
    """What the header says, or an empty `EmailHeader` (content_type None) when there is none."""
    message = _parse(raw)
    if message is None or not message.keys():
        return EmailHeader(size=len(raw))
    sender, sender_name = _sender(message)
    return EmailHeader(
        sender=sender,
        sender_name=sender_name,
        subject=_text(message, "Subject", SUBJECT_MAX),
        message_id=_text(message, "Message-ID", MESSAGE_ID_MAX),
        size=len(raw),
        auto_submitted=_text(message, "Auto-Submitted", 200),
        precedence=_text(message, "Precedence", 200),
        content_type=_content_type(message),
        authentication_results=_all_text(message, "Authentication-Results"),
        in_reply_to=next(iter(_message_ids(message, "In-Reply-To")), None),
        references=_message_ids(message, "References")[-REFERENCES_READ:],
    )


def _parse(raw: bytes) -> EmailMessage | None:
    end = _HEADER_END.search(raw)
    head = raw[: end.end()] if end else raw
    try:
        parsed = BytesHeaderParser(policy=INBOUND).parsebytes(head)
    except Exception:  # noqa: BLE001 - best effort: a reply address is a bonus, not a promise
        return None
    return parsed  # type: ignore[return-value]


def _sender(message: EmailMessage) -> tuple[str | None, str | None]:
    try:
        header = message["From"]
        addresses = header.addresses if header is not None else ()
        for address in addresses:
            if address.username and address.domain:
                email = clean(address.addr_spec).lower()
                if len(email) <= CONTACT_MAX and not any(c.isspace() or is_control(c) for c in email):
                    return email, cut(one_line(clean(address.display_name)).strip(), 200) or None
    except Exception:  # noqa: BLE001 - header classes raise assorted errors on garbage
        pass
    return None, None


def _text(message: EmailMessage, name: str, limit: int) -> str | None:
    try:
        value = message[name]
        return None if value is None else _one_line(str(value), limit)
    except Exception:  # noqa: BLE001 - header classes raise assorted errors on garbage
        return None


def _all_text(message: EmailMessage, name: str) -> tuple[str, ...]:
    try:
        values = message.get_all(name) or []
        found = (_one_line(str(v), 2000) for v in values[:AUTHENTICATION_RESULTS_READ])
        return tuple(v for v in found if v)
    except Exception:  # noqa: BLE001
        return ()


def _message_ids(message: EmailMessage, name: str) -> tuple[str, ...]:
    """The `<…>` msg-ids a header lists, in order (none when unreadable)."""
    try:
        value = message.get(name)
        return tuple(_MSG_ID.findall(clean(str(value)))) if value is not None else ()
    except Exception:  # noqa: BLE001 - header classes raise assorted errors on garbage
        return ()


def _content_type(message: EmailMessage) -> str:
    try:
        return message.get_content_type()
    except Exception:  # noqa: BLE001 - an unreadable Content-Type means text/plain (RFC 2045)
        return "text/plain"


def _one_line(text: str, limit: int) -> str | None:
    return cut(" ".join(one_line(clean(text)).split()), limit) or None


def clean(text: str) -> str:
    """Undo the parser's surrogate escapes of raw 8-bit header bytes (read as UTF-8)."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte: replaced too
        return text.encode("utf-8", "replace").decode("utf-8")
