"""Why an email or request does not become a ticket: the one list of reason codes, each with the
sentence a reply can show, and the base exception every intake rejection derives from.

The codes are the `reason` values of the `hotline.submission.rejected.v1` event."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Self


class ExplainedCode(StrEnum):
    """A machine reason code (equal to its string value) with a one-line human explanation."""

    explanation: str

    def __new__(cls, value: str, explanation: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.explanation = explanation
        return member


class RejectionReason(ExplainedCode):
    """Why a submission is rejected."""

    MALFORMED_SUBJECT = (
        "malformed_subject",
        "The subject line is not in the required ticket format.",
    )
    OVERSIZED = ("oversized", "The email is larger than the size we accept.")
    NOT_UTF8 = (
        "not_utf8",
        (
            "Part of the email's text is not valid in its declared character set "
            "(or in UTF-8, when none is declared)."
        ),
    )
    EMPTY_BODY = (
        "empty_body",
        "The email has no text describing the problem; attachments alone are not enough.",
    )
    NO_SENDER = ("no_sender", "The email has no usable sender address in its From: header.")
    MALFORMED = ("malformed", "The email could not be read as a valid email message.")
    UNKNOWN_CUSTOMER = (
        "unknown_customer",
        "The customer name in the subject is not a registered customer.",
    )
    UNKNOWN_SENDER = (
        "unknown_sender",
        "The sender is not a registered contact of the customer named in the subject.",
    )
    UNKNOWN_LOCATION = (
        "unknown_location",
        "The location in the subject is not one of the customer's registered locations.",
    )
    READ_TIMEOUT = ("read_timeout", "The email could not be read in time.")
    RATE_LIMITED = (
        "rate_limited",
        "The customer has opened more tickets in the last hour than we accept.",
    )
    DMARC_FAIL = (
        "dmarc_fail",
        "The email failed DMARC authentication, so it may not come from the address it claims.",
    )
    INVALID_FIELD = (
        "invalid_field",
        "A field is longer than its limit or contains control characters.",
    )
    UNKNOWN_TICKET = (
        "unknown_ticket",
        "The email replies to a ticket number we have no ticket for.",
    )
    OTHER_CUSTOMERS_TICKET = (
        "other_customers_ticket",
        "The email replies to a ticket of another customer than the sender's.",
    )
    NOT_A_CONTACT_OF_TICKET = (
        "not_a_contact_of_ticket",
        "The sender of a reply to a ticket is not a registered contact of the ticket's customer.",
    )
    UNREADABLE_SLOT = (
        "unreadable_slot",
        "The reply names an off-hours slot that could not be read (the reply itself was added "
        "to the ticket).",
    )


#: reason code -> explanation, for reply templates (`{{ explanations[reason] }}`).
REJECTION_EXPLANATIONS: Mapping[str, str] = MappingProxyType(
    {reason.value: reason.explanation for reason in RejectionReason}
)


class IntakeRejection(Exception):
    """Base of every intake rejection: a reason code plus a message meant for the sender."""

    def __init__(self, reason_code: RejectionReason, message: str) -> None:
        super().__init__(message)
        self.reason_code = RejectionReason(reason_code)
        self.message = message

    @property
    def explanation(self) -> str:
        return self.reason_code.explanation
