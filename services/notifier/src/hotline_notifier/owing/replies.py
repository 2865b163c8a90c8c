"""Replies to what customers sent: a confirmation for every ticket opened; a reply to an email
rejection whose `reply` is true (intake sets it false past the sender's reply limit, or when
there is nobody safe to answer); it goes to `notify` instead of the sender when intake names
someone else (a ticket's contact, told of a reply to it from an address that is not one). Ignored and duplicate submissions owe nothing: answering
automatic mail is how mail loops start, and a resent email was answered the first time.

A confirmation answers the customer's email (`In-Reply-To`, `References`), when there was one;
its own Message-ID names the ticket, so the customer's reply to it finds the ticket."""

from __future__ import annotations

from typing import Any

from hotline.contracts import SubmissionRejected, TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline_notifier import templates
from hotline_notifier.domain.notification import Notification, message_id_of, notification_id


def owed(app: Any, event: CloudEvent, trace_context: dict[str, str]) -> list[Notification]:
    data = event.data
    if isinstance(data, TicketOpened):
        text = templates.render("confirmation", ticket=data)
        headers = {"In-Reply-To": data.message_id, "References": data.message_id} if data.message_id else None
        return [Notification(cause=str(data.ticket_id), kind="confirmation", recipient=data.contact,
                             subject=text.subject, body=text.text, html=text.html,
                             ticket_number=data.ticket_number, trace_context=trace_context,
                             headers=headers)]
    recipient = (data.notify or data.sender) if isinstance(data, SubmissionRejected) else None
    if isinstance(data, SubmissionRejected) and data.channel == "email" and recipient and data.reply:
        text = templates.render("rejection", rejection=data)
        return [Notification(cause=str(data.submission_id), kind="rejection", recipient=recipient,
                             subject=text.subject, body=text.text, html=text.html,
                             ticket_number=None, trace_context=trace_context)]
    return []


def confirmation_message_id(data: TicketOpened) -> str:
    """The Message-ID of the confirmation a ticket's opening owes (its id derives from it)."""
    return message_id_of(notification_id(str(data.ticket_id), "confirmation", data.contact),
                         data.ticket_number)
