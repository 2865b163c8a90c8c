"""A telephone call an agent records as a ticket (channel `phone`): the contract offers support
"via its trouble ticketing system, telephone, and email".

The call names who called (`caller`, required: one line, at most 200 characters), when
(`called_at`, required: the response clock starts then, not when it was typed in) and,
optionally, the number to call back (`callback`, validated loosely: 3–40 characters of digits,
spaces, `+`, `-` and parentheses, at least one digit). What is missing or malformed is refused
as `invalid_field`, naming the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from hotline_intake.domain.fields import FieldRejected, is_control

CALLER_MAX = 200
CALLBACK = re.compile(r"^[0-9 +\-()]{3,40}$")


@dataclass(frozen=True)
class PhoneCall:
    """Who called, when, and where to call back."""

    caller: str
    called_at: datetime
    callback: str | None = None

    @classmethod
    def of(cls, caller: str | None, called_at: datetime | None,
           callback: str | None = None) -> PhoneCall:
        """The call, or `FieldRejected` for the first field that is missing or malformed."""
        caller = (caller or "").strip()
        if not caller:
            raise FieldRejected("caller", "a telephone ticket needs the caller's name (caller)")
        if len(caller) > CALLER_MAX or any(is_control(c) for c in caller) or not _utf8(caller):
            raise FieldRejected("caller", f"the caller must be one line of at most {CALLER_MAX} "
                                          "characters")
        if called_at is None:
            raise FieldRejected("called_at", "a telephone ticket needs the time of the call "
                                             "(called_at, ISO-8601 with offset)")
        if called_at.tzinfo is None or called_at.utcoffset() is None:
            raise FieldRejected("called_at", "the time of the call needs a UTC offset")
        if callback is not None:
            callback = callback.strip()
            if not CALLBACK.match(callback) or not any(c.isdigit() for c in callback):
                raise FieldRejected("callback", f"the callback {callback[:40]!r} is not a "
                                    "telephone number (3–40 characters: digits, spaces, +, - "
                                    "and parentheses)")
        return cls(caller, called_at, callback or None)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no event could store it
        return False
    return True
