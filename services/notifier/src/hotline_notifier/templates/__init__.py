"""Email templates (jinja2): one subject line and one text body per notification kind."""

from __future__ import annotations

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


def confirmation(ticket: TicketOpened) -> tuple[str, str]:
    subject = f"[{ticket.ticket_number}] Ticket opened: {ticket.customer} – {ticket.issue}"
    received = ticket.received_at.astimezone(PACIFIC).strftime("%Y-%m-%d %H:%M %Z")
    body = _env.get_template("confirmation.txt.j2").render(ticket=ticket, received_local=received)
    return subject, body


def rejection(rejected: SubmissionRejected) -> tuple[str, str]:
    subject = "Your support request could not be opened as a ticket"
    if rejected.subject:
        subject += f": {rejected.subject}"
    body = _env.get_template("rejection.txt.j2").render(rejection=rejected)
    return subject[:250], body
