"""What reading an email yields: `InboundEmail` (it can become a ticket), `EmailHeader` (what
could be read of its header, whatever else is wrong) and `EmailRejected` (why it cannot)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from hotline_intake.domain.rejection import IntakeRejection, RejectionReason


class Attachment(NamedTuple):
    """An attachment as recorded on the ticket: never its content."""

    filename: str
    size: int  # bytes of the decoded payload
    content_type: str


@dataclass(frozen=True)
class InboundEmail:
    """An email that can be read: what intake needs to open (or refuse) a ticket."""

    sender: str
    sender_name: str | None
    subject: str
    message_id: str | None
    body: str
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    size: int = 0
    attachments_omitted: int = 0  # beyond the 100 listed
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()


@dataclass(frozen=True)
class EmailHeader:
    """What could be read of an email's header: enough to reply, to recognise automatic mail
    and to find a resent message, even when the rest cannot be read."""

    sender: str | None = None  # the first From address, lowercased
    sender_name: str | None = None
    subject: str | None = None
    message_id: str | None = None
    size: int = 0
    auto_submitted: str | None = None
    precedence: str | None = None
    content_type: str | None = None  # None: no header could be read
    authentication_results: tuple[str, ...] = ()
    in_reply_to: str | None = None  # the first msg-id of In-Reply-To
    references: tuple[str, ...] = ()  # the msg-ids of References (the last ones, bounded)

    def reject(self, reason: RejectionReason, message: str) -> EmailRejected:
        return EmailRejected(
            reason, message, sender=self.sender, sender_name=self.sender_name,
            subject=self.subject, message_id=self.message_id, size=self.size, header=self,
        )


class EmailRejected(IntakeRejection):
    """The email cannot become a ticket. Carries what could be read, for the reply."""

    def __init__(
        self,
        reason_code: RejectionReason,
        message: str,
        *,
        sender: str | None = None,
        sender_name: str | None = None,
        subject: str | None = None,
        message_id: str | None = None,
        size: int | None = None,
        header: EmailHeader | None = None,
    ) -> None:
        super().__init__(reason_code, message)
        self.sender = sender
        self.sender_name = sender_name
        self.subject = subject
        self.message_id = message_id
        self.size = size
        self.header = header or EmailHeader(sender, sender_name, subject, message_id, size or 0)
