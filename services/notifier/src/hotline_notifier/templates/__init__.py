"""Email templates (jinja2): one subject line and one text body per notification kind.

A subject line is always one line of at most 250 characters, whatever the event carries (an
issue with a line break, from before intake bounded it, must not make an invalid header)."""

from __future__ import annotations

import unicodedata
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from hotline.contracts import SubmissionRejected, TicketOpened

_env = Environment(
    loader=PackageLoader("hotline_notifier", "templates"),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,  # plain-text email
)
PACIFIC = ZoneInfo("America/Los_Angeles")
SUBJECT_MAX = 250


def confirmation(ticket: TicketOpened) -> tuple[str, str]:
    subject = f"[{ticket.ticket_number}] Ticket opened: {ticket.customer} – {ticket.issue}"
    received = ticket.received_at.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M %Z")
    body = _env.get_template("confirmation.txt.j2").render(ticket=ticket, received_local=received)
    return subject_line(subject), body


def rejection(rejected: SubmissionRejected) -> tuple[str, str]:
    subject = "Your support request could not be opened as a ticket"
    if rejected.subject:
        subject += f": {rejected.subject}"
    body = _env.get_template("rejection.txt.j2").render(rejection=rejected)
    return subject_line(subject), body


def subject_line(text: str) -> str:
    """Control characters and line separators as spaces, whitespace runs as one, ≤ 250 chars."""
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c for c in text)
    return " ".join(text.split())[:SUBJECT_MAX].rstrip()
