"""Building blocks for intake tests (unit and integration): an in-memory IntakeApplication,
`Submissions` on it with the demo directory, emails as bytes, and what the relay would publish."""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage
from typing import Any

from hotline.calendar import SupportCalendar
from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline.directory import load_directory
from hotline_intake import DEMO_DIRECTORY_PATH
from hotline_intake.adapters.ticket_numbers import InMemoryTicketNumbers
from hotline_intake.application import IntakeApplication
from hotline_intake.publication import to_cloud_event
from hotline_intake.submissions import Submissions

WED_1000_PT = datetime(2026, 11, 18, 18, 0, tzinfo=timezone.utc)
ACME_SUBJECT = "Acme Corp – 100 Main St, Springfield – No dial tone on all lines – Priority 1"
ACME_NOC = "noc@acme.example"
LIMIT = 1024 * 1024
NUL_CHARSET = (b"From: noc@acme.example\r\nSubject: " + ACME_SUBJECT.encode() + b"\r\n"
               b"Message-ID: <nul@acme.example>\r\nMIME-Version: 1.0\r\n"
               b'Content-Type: text/plain; charset="utf-8\x00"\r\n\r\nNo dial tone.\r\n')
"""An email that used to be answered 451 forever (issue 9)."""


def make_app(clock: FixedClock | None = None) -> IntakeApplication:
    return IntakeApplication(env=popo_env(), numbers=InMemoryTicketNumbers(),
                             calendar=SupportCalendar(), clock=clock or FixedClock(WED_1000_PT))


def make_submissions(app: IntakeApplication | None = None, **options: Any) -> Submissions:
    options.setdefault("own_addresses", ["Hotline Support <support@hotline.example>"])
    return Submissions(app or make_app(), load_directory(DEMO_DIRECTORY_PATH), LIMIT, **options)


def email(subject: str = ACME_SUBJECT, sender: str = ACME_NOC, body: str = "All lines dead.",
          message_id: str | None = "<m1@acme.example>", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@hotline.example"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


def published(app: IntakeApplication) -> list[Any]:
    """Every public event the relay would publish, in log order."""
    events = []
    for notification in app.recorder.select_notifications(start=1, limit=10_000):
        cloud_event = to_cloud_event(app.mapper.to_domain_event(notification), notification.id)
        if cloud_event is not None:
            events.append(cloud_event)
    return events


def blind_first_look(app: IntakeApplication) -> None:
    """Make the first duplicate check find nothing, as when a racing delivery has not
    committed yet: the submission log's unique key must then decide."""
    real, looks = app.original_submission, []

    def look(sender: str, message_id: str) -> Any:
        looks.append(message_id)
        return None if len(looks) == 1 else real(sender, message_id)

    app.original_submission = look  # type: ignore[method-assign]
