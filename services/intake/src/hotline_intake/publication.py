"""What intake publishes: its domain events as public CloudEvents on `hotline.tickets.v1`.

`ce_subject` is the ticket number; for a submission that opened no ticket, its id (for a
duplicate of a ticket: that ticket's number)."""

from __future__ import annotations

from typing import Any

from hotline import contracts
from hotline.contracts import (
    Actor,
    Attachment,
    SubmissionDuplicate,
    SubmissionIgnored,
    SubmissionRejected,
    TicketOpened,
)
from hotline.contracts.envelope import CloudEvent
from hotline_intake.domain.submission import (
    DuplicateSubmission,
    IgnoredSubmission,
    RejectedSubmission,
)
from hotline_intake.domain.ticket import Ticket

SOURCE = "/hotline/intake"


def _envelope(domain_event: Any, position: int, subject: str, data: Any) -> CloudEvent:
    return CloudEvent(
        id=f"{domain_event.originator_id}:{domain_event.originator_version}",
        source=SOURCE,
        type=data.ce_type,
        time=domain_event.timestamp,
        subject=subject,
        position=position,
        data=data,
    )


LIFECYCLE_CONTRACTS = {
    Ticket.FirstResponseGiven: contracts.FirstResponseGiven,
    Ticket.WorkaroundProvided: contracts.WorkaroundProvided,
    Ticket.Resolved: contracts.TicketResolved,
    Ticket.Reopened: contracts.TicketReopened,
    Ticket.Closed: contracts.TicketClosed,
    Ticket.PriorityChanged: contracts.PriorityChanged,
    Ticket.WaitingOnCustomer: contracts.WaitingOnCustomer,
    Ticket.CustomerResponded: contracts.CustomerResponded,
    Ticket.RfoDelivered: contracts.RfoDelivered,
}


def to_cloud_event(domain_event: Any, position: int) -> CloudEvent | None:
    contract = LIFECYCLE_CONTRACTS.get(type(domain_event))
    if contract is not None:
        data = contract(**_change_fields(domain_event),
                        **{f: getattr(domain_event, f) for f in ("from_priority", "priority", "text")
                           if hasattr(domain_event, f)})
        return _envelope(domain_event, position, domain_event.number, data)
    if isinstance(domain_event, Ticket.Opened):
        data = TicketOpened(
            ticket_id=domain_event.originator_id,
            ticket_number=domain_event.number,
            customer=domain_event.customer,
            location=domain_event.location,
            issue=domain_event.issue,
            description=domain_event.description,
            priority=domain_event.priority,
            priority_defaulted=domain_event.priority_defaulted,
            channel=domain_event.channel,
            contact=domain_event.contact,
            received_at=domain_event.received_at,
            off_hours=domain_event.off_hours,
            attachments=[Attachment(**a) for a in domain_event.attachments],
            message_id=domain_event.message_id,
            calendar_version=domain_event.calendar_version,
            description_truncated=getattr(domain_event, "description_truncated", False),
            description_bytes=getattr(domain_event, "description_bytes", None),
            attachments_omitted=getattr(domain_event, "attachments_omitted", 0),
            actor=_actor(domain_event),
            follow_up_of=getattr(domain_event, "follow_up_of", None),
            caller=getattr(domain_event, "caller", None),
            callback=getattr(domain_event, "callback", None),
        )
        return _envelope(domain_event, position, domain_event.number, data)
    slot_contract = SLOT_CONTRACTS.get(type(domain_event))
    if slot_contract is not None:
        return _envelope(domain_event, position, domain_event.number, _slot(domain_event, slot_contract))
    if isinstance(domain_event, Ticket.AgreementRecorded):
        data = contracts.AgreementRecorded(
            **_change_fields(domain_event), customer=domain_event.customer,
            target=domain_event.target, quote_id=domain_event.quote_id,
            revision=domain_event.revision)
        return _envelope(domain_event, position, domain_event.number, data)
    if isinstance(domain_event, Ticket.CommentAdded):
        data = contracts.CommentAdded(
            **_change_fields(domain_event), comment_id=domain_event.comment_id, author=domain_event.author,
            author_kind=domain_event.author_kind, visibility=domain_event.visibility,
            text=domain_event.text, text_truncated=domain_event.text_truncated,
            attachments=[Attachment(**a) for a in domain_event.attachments],
            channel=domain_event.channel, message_id=domain_event.message_id,
            in_reply_to=domain_event.in_reply_to)
        return _envelope(domain_event, position, domain_event.number, data)
    if isinstance(domain_event, RejectedSubmission.Rejected):
        data = SubmissionRejected(
            submission_id=domain_event.originator_id,
            channel=domain_event.channel,
            sender=domain_event.sender,
            subject=domain_event.subject,
            reason=domain_event.reason,
            detail=domain_event.detail,
            expected_format=domain_event.expected_format,
            received_at=domain_event.received_at,
            size=domain_event.size,
            message_id=domain_event.message_id,
            reply=getattr(domain_event, "reply", True),
            actor=_actor(domain_event),
            ticket_number=getattr(domain_event, "ticket_number", None),
            notify=getattr(domain_event, "notify", None),
        )
        return _envelope(domain_event, position, str(domain_event.originator_id), data)
    if isinstance(domain_event, IgnoredSubmission.Ignored):
        data = SubmissionIgnored(
            reason=domain_event.reason, detail=domain_event.detail, **_outcome(domain_event))
        return _envelope(domain_event, position, str(domain_event.originator_id), data)
    if isinstance(domain_event, DuplicateSubmission.Duplicated):
        data = SubmissionDuplicate(
            original_submission_id=domain_event.original_submission_id,
            original_outcome=domain_event.original_outcome,
            original_ticket_number=domain_event.original_ticket_number,
            **_outcome(domain_event))
        subject = domain_event.original_ticket_number or str(domain_event.originator_id)
        return _envelope(domain_event, position, subject, data)
    return None


SLOT_CONTRACTS = {
    Ticket.OffHoursRequested: contracts.OffHoursRequested,
    Ticket.OffHoursAccepted: contracts.OffHoursAccepted,
    Ticket.OffHoursDeclined: contracts.OffHoursDeclined,
    Ticket.OffHoursWorkLogged: contracts.OffHoursWorkLogged,
}


def _change_fields(domain_event: Any) -> dict[str, Any]:
    """What every ticket change's contract carries (`TicketChange`)."""
    return dict(ticket_id=domain_event.originator_id, ticket_number=domain_event.number,
                at=domain_event.at, recorded_at=getattr(domain_event, "recorded_at", None),
                by=domain_event.by,
                note=domain_event.note, actor=_actor(domain_event))


def _slot(domain_event: Any, contract: type) -> Any:
    """An off-hours request event as its contract (`hotline.contracts.scheduling`)."""
    fields = dict(**_change_fields(domain_event), request_id=domain_event.request_id,
                  customer=domain_event.customer, start=domain_event.start, end=domain_event.end,
                  off_hours_minutes=domain_event.off_hours_minutes)
    if contract is contracts.OffHoursRequested:
        fields.update(requested_by=domain_event.requested_by, channel=domain_event.channel)
    elif contract is contracts.OffHoursWorkLogged:
        entry = domain_event.entry
        fields.update(entry_id=str(entry["entry_id"]), engineer=entry["engineer"],
                      work_start=entry["start"], work_end=entry["end"], minutes=entry["minutes"],
                      work_off_hours_minutes=entry["off_hours_minutes"])
    else:
        fields.update(reason=domain_event.reason)
    return contract(**fields)


def _outcome(domain_event: Any) -> dict[str, Any]:
    """The fields every ignored or duplicate submission's contract shares."""
    return dict(
        submission_id=domain_event.originator_id, channel=domain_event.channel,
        sender=domain_event.sender, subject=domain_event.subject,
        message_id=domain_event.message_id, received_at=domain_event.received_at,
        actor=_actor(domain_event))


def _actor(domain_event: Any) -> Actor | None:
    actor = getattr(domain_event, "actor", None)  # events recorded before actors have none
    return Actor(**actor) if actor else None
