"""Replies to what customers sent: a confirmation for every ticket opened; a reply to an email
rejection whose `reply` is true (intake sets it false past the sender's reply limit, or when
there is nobody safe to answer). Ignored and duplicate submissions owe nothing: answering
automatic mail is how mail loops start, and a resent email was answered the first time."""

from __future__ import annotations

from typing import Any

from hotline.contracts import SubmissionRejected, TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Notification]:
    data = event.data
    if isinstance(data, TicketOpened):
        text = templates.render("confirmation", ticket=data)
        return [Notification(cause=str(data.ticket_id), kind="confirmation", recipient=data.contact,
                             subject=text.subject, body=text.text, html=text.html,
                             ticket_number=data.ticket_number, trace_context=trace_context)]
    if isinstance(data, SubmissionRejected) and data.channel == "email" and data.sender and data.reply:
        text = templates.render("rejection", rejection=data)
        return [Notification(cause=str(data.submission_id), kind="rejection", recipient=data.sender,
                             subject=text.subject, body=text.text, html=text.html,
                             ticket_number=None, trace_context=trace_context)]
    return []
