"""The limits of a ticket's text fields, and the normalisations that keep them bounded.

* `issue`: one line of at most 200 characters. From an email subject, control characters
  (CR, LF, TAB and every other Unicode Cc, and the line/paragraph separators U+2028/U+2029)
  become spaces and a longer issue is cut at 200 characters: a normalisation, not an error.
  Over HTTP the same text is refused (`invalid_field`).
* `customer` 200, `location` 300 characters, one line each; `contact` an address of at most
  254 characters (RFC 5321).
* `description`: any length up to 10 MiB over HTTP (email: the message size limit). Events
  carry at most 64 KiB of it (UTF-8); a longer one is kept whole beside the event store and
  the event carries its first 64 KiB (`description_truncated`, `description_bytes`).
* What intake echoes from an email into events is bounded too: subject 998 characters (the
  RFC 5322 line limit), Message-ID 255, a rejection's detail 2000, 100 attachments listed
  (names 255 characters).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hotline_intake.domain.rejection import IntakeRejection, RejectionReason

KIB = 1024
ISSUE_MAX = 200
CUSTOMER_MAX = 200
LOCATION_MAX = 300
CONTACT_MAX = 254
DESCRIPTION_INLINE_BYTES = 64 * KIB
DESCRIPTION_MAX_BYTES = 10 * KIB * KIB
SUBJECT_MAX = 998
MESSAGE_ID_MAX = 255
DETAIL_MAX = 2000
ATTACHMENTS_MAX = 100
FILENAME_MAX = 255

ONE_LINE_LIMITS = {"customer": CUSTOMER_MAX, "location": LOCATION_MAX, "issue": ISSUE_MAX,
                   "contact": CONTACT_MAX}
"""Field name → most characters, for the fields that must be a single line."""

_BREAKS = re.compile(r"[\u2028\u2029]")


def is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc" or char in "\u2028\u2029"


def one_line(text: str) -> str:
    """Control characters and line separators replaced by spaces (nothing else changes)."""
    text = _BREAKS.sub(" ", text)
    return "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)


def cut(text: str, limit: int) -> str:
    """At most `limit` characters; a cut text loses its trailing spaces too."""
    return text if len(text) <= limit else text[:limit].rstrip()


def bounded_issue(text: str) -> str:
    """An email subject's issue description as the ticket keeps it: one line, ≤ 200 chars."""
    return cut(" ".join(one_line(text).split()), ISSUE_MAX)


class FieldRejected(IntakeRejection):
    """A field over its limit or with control characters; the message names the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(RejectionReason.INVALID_FIELD, message)
        self.field = field


def check_fields(description: str | None = None, **one_line_fields: str) -> None:
    """Raise `FieldRejected` for the first field that breaks its limit (HTTP submissions)."""
    for name, value in one_line_fields.items():
        limit = ONE_LINE_LIMITS[name]
        if len(value) > limit:
            raise FieldRejected(name, f"the {name} is {len(value)} characters long; "
                                      f"the limit is {limit}")
        if any(is_control(c) for c in value):
            raise FieldRejected(name, f"the {name} contains a line break or another control "
                                      "character; it must be a single line")
        _utf8_size(name, value)
    if description is not None and _utf8_size("description", description) > DESCRIPTION_MAX_BYTES:
        raise FieldRejected("description", f"the description is over "
                                           f"{DESCRIPTION_MAX_BYTES:,} bytes, the limit")


def _utf8_size(name: str, value: str) -> int:
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate: no event could store it
        raise FieldRejected(name, f"the {name} is not valid Unicode text") from None


@dataclass(frozen=True)
class Description:
    """What an event carries of a description: all of it, or its first 64 KiB."""

    preview: str
    truncated: bool
    size: int  # bytes of the whole description, UTF-8

    @classmethod
    def of(cls, text: str, limit: int = DESCRIPTION_INLINE_BYTES) -> Description:
        encoded = text.encode("utf-8", "replace")
        if len(encoded) <= limit:
            return cls(text, False, len(encoded))
        preview = encoded[:limit].decode("utf-8", "ignore")  # cut at a character boundary
        return cls(preview, True, len(encoded))
