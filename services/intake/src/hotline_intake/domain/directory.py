"""Intake's rules against the customer directory (`hotline.directory`): a parsed subject must
name a known customer and location and come from one of its contacts.

Checks run customer → sender → location, so only a verified contact learns a customer's
registered locations.
"""

from __future__ import annotations

from dataclasses import dataclass

from hotline.directory import Contact, Customer, Directory, Location
from hotline_intake.domain.rejection import IntakeRejection, RejectionReason
from hotline_intake.domain.subject import TicketSubject


@dataclass(frozen=True)
class ValidatedSubmission:
    """A subject that names a known customer and location, sent by one of its contacts."""

    subject: TicketSubject
    customer: Customer
    location: Location
    contact: Contact


class SubmissionRejected(IntakeRejection):
    """The subject parsed but does not match the directory; the message says why."""

    def __init__(
        self,
        reason_code: RejectionReason,
        message: str,
        *,
        registered_locations: tuple[str, ...] = (),
    ) -> None:
        super().__init__(reason_code, message)
        #: only filled for unknown_location, where the sender is a verified contact
        self.registered_locations = registered_locations


def validate_submission(directory: Directory, subject: TicketSubject,
                        sender: str) -> ValidatedSubmission:
    """The directory's verdict on a parsed subject from `sender`, or `SubmissionRejected`."""
    customer = directory.find_customer(subject.customer)
    if customer is None:
        raise SubmissionRejected(
            RejectionReason.UNKNOWN_CUSTOMER,
            f"the customer name {subject.customer!r} in the subject is not a registered "
            "customer; use the customer name exactly as registered with us",
        )
    contact = directory.contact(customer, sender)
    if contact is None:
        raise SubmissionRejected(
            RejectionReason.UNKNOWN_SENDER,
            f"{sender} is not a registered contact of {customer.name}; tickets for "
            f"{customer.name} must come from one of its registered contacts",
        )
    location = directory.match_location(customer, subject.location)
    if location is None:
        registered = tuple(loc.address for loc in customer.locations)
        raise SubmissionRejected(
            RejectionReason.UNKNOWN_LOCATION,
            f"{subject.location!r} is not a registered location of {customer.name}; "
            f"registered locations: {'; '.join(registered)}",
            registered_locations=registered,
        )
    return ValidatedSubmission(subject, customer, location, contact)
