"""Which ticket an email answers, if any: threading a customer's reply into its ticket.

An email belongs to a ticket when

* its subject carries the ticket number as a tag, `[T-000042]` (anywhere), or starts with the
  bare number once reply/forward prefixes are stripped (`Re: T-000042 …`); or
* its In-Reply-To or References name a message Hotline sent about the ticket: notifier's
  Message-IDs are `<T-000042.{uuid}@hotline.notifier>`.

The subject wins over the headers (it is what the customer sees and may correct), then
In-Reply-To, then References from the newest. Such an email never opens a new ticket: it
becomes a comment on its ticket, a rejection, or (a reply to a closed ticket) a follow-up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline_intake.domain.fields import ISSUE_MAX, cut, one_line

_TAG = re.compile(r"\[\s*(T-\d{6,})\s*\]", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"^\s*(?:re|fwd?|aw|wg)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)
_LEADING_NUMBER = re.compile(r"^(T-\d{6,})(?![\w-])", re.IGNORECASE)
_HOTLINE_MESSAGE_ID = re.compile(r"^<(T-\d{6,})\.[^<>@\s]+@hotline\.notifier>$", re.IGNORECASE)


@dataclass(frozen=True)
class ThreadReference:
    """The ticket an email replies to, and how that was seen."""

    ticket_number: str
    via: str  # "subject" | "in-reply-to" | "references"


def thread_reference(subject: str | None, in_reply_to: str | None = None,
                     references: tuple[str, ...] = ()) -> ThreadReference | None:
    """The ticket this email replies to, or None: it is no reply to a ticket."""
    if subject:
        text = one_line(subject)
        if tag := _TAG.search(text):
            return ThreadReference(tag[1].upper(), "subject")
        stripped = strip_reply_prefixes(text)
        if stripped != text.strip() and (bare := _LEADING_NUMBER.match(stripped)):
            return ThreadReference(bare[1].upper(), "subject")
    if in_reply_to and (number := hotline_ticket_of(in_reply_to)):
        return ThreadReference(number, "in-reply-to")
    for message_id in reversed(references):
        if number := hotline_ticket_of(message_id):
            return ThreadReference(number, "references")
    return None


def hotline_ticket_of(message_id: str) -> str | None:
    """The ticket number of a Message-ID Hotline sent about a ticket, else None."""
    match = _HOTLINE_MESSAGE_ID.match(message_id.strip())
    return match[1].upper() if match else None


def strip_reply_prefixes(subject: str) -> str:
    text = subject.strip()
    while match := _REPLY_PREFIX.match(text):
        text = text[match.end():]
    return text.strip()


def follow_up_issue(number: str, subject: str | None, fallback: str) -> str:
    """The issue of the ticket that follows up closed ticket `number`: "Follow-up of T-…: <the
    subject without prefixes and ticket tags>" (the old issue when nothing is left), one line."""
    text = _TAG.sub(" ", strip_reply_prefixes(one_line(subject or "")))
    text = strip_reply_prefixes(" ".join(text.split()))
    if (bare := _LEADING_NUMBER.match(text)) is not None:
        text = text[bare.end():].lstrip(" :–—-")
    return cut(f"Follow-up of {number}: {text or fallback}", ISSUE_MAX)
