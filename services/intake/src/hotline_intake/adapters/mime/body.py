"""An email's body as ticket text: the text/plain part if there is one, else the text/html part
reduced to text. Text is decoded strictly in its declared charset, or UTF-8 when none is
declared; a charset that is no text encoding Python knows (unknown, malformed, or e.g.
`"utf-8\\x00"`) is refused like bytes that are not valid in it (`not_utf8`), and so is text
that decodes to lone surrogates, which no event could store."""

from __future__ import annotations

import codecs
import re
from email.message import EmailMessage, Message

import html2text

from hotline_intake.adapters.mime.message import EmailHeader
from hotline_intake.domain.rejection import RejectionReason

_CHARSET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]{0,39}$")


def body_text(part: Message, message: EmailMessage, header: EmailHeader) -> str:
    text = _decode_text(part, message, header)
    if part.get_content_subtype() == "html":
        text = _html_to_text(text)
    return _normalise_whitespace(text)


def _decode_text(part: Message, message: EmailMessage, header: EmailHeader) -> str:
    payload = part.get_payload(decode=True) or b""
    try:
        declared = part.get_content_charset()
    except (LookupError, ValueError):  # an RFC 2231 charset parameter in an unknown charset
        declared = "(unreadable)"
    charset = declared or "utf-8"
    try:
        if not _CHARSET_NAME.match(charset):
            raise LookupError(charset)
        text = payload.decode(codecs.lookup(charset).name)
        text.encode("utf-8")  # a lone surrogate (unicode_escape, utf-7 can make one) is no text
        return text
    except UnicodeEncodeError:
        problem = f"decodes in {charset!r} to characters that are not valid Unicode text"
    except LookupError:  # unknown, or a codec that is no text encoding (base64, rot13)
        problem = f"declares the unknown charset {declared!r}"
    except (UnicodeError, ValueError) as exc:  # some codecs (idna, punycode) raise their own
        expected = declared or "UTF-8 (no charset declared)"
        where = f" at offset {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        problem = f"has bytes that are not valid {expected}{where}"
    raise header.reject(RejectionReason.NOT_UTF8, f"the {_describe(part, message)} {problem}")


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
