"""Screening an inbound email: raw bytes → one `Verdict`, before anything is recorded.

In order, each step on what the previous ones could read:

1. the header alone (`read_header`, best effort, never raises) is reported to `on_header` at
   once, so a caller that gives up waiting still knows whom to answer;
2. automatic mail (`loop_safety`) → `Automatic`: recorded as ignored, never answered, however
   broken the rest of it is;
3. with HOTLINE_INTAKE_TRUSTED_AUTHSERV_ID set, a trusted `dmarc=fail` → `Refused` with reason
   `dmarc_fail`; the reply goes to the registered contact the From claims, as the directory
   stores it, and to no one when the From is not a registered contact (never to Reply-To, the
   envelope or the forged address);
4. the whole email (`parse_email`); one that replies to a ticket (`domain.thread`: a
   `[T-000042]` subject tag, or In-Reply-To/References naming a message Hotline sent about the
   ticket) → `Reply`, never a new ticket (admission checks the ticket and the sender);
5. otherwise the subject line and the customer directory → `Refused` (the reply goes to the
   From, or to the envelope sender when there is no usable From) or `Accepted`.

Pure but for the parsing, so it can run in a worker thread under a time limit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from email.utils import parseaddr

from hotline.directory import Directory
from hotline_intake.adapters.authentication_results import dmarc_result
from hotline_intake.adapters.mime import (
    EmailHeader,
    EmailRejected,
    InboundEmail,
    parse_email,
    read_header,
)
from hotline_intake.domain.directory import ValidatedSubmission, validate_submission
from hotline_intake.domain.fields import CONTACT_MAX, is_control
from hotline_intake.domain.loop_safety import AutomaticMarks, Ignored, ignored
from hotline_intake.domain.rejection import IntakeRejection, RejectionReason
from hotline_intake.domain.subject import parse_subject
from hotline_intake.domain.thread import ThreadReference, thread_reference


@dataclass(frozen=True)
class ScreeningRules:
    max_bytes: int
    own_addresses: frozenset[str] = frozenset()
    trusted_authserv_id: str | None = None

    @staticmethod
    def addresses(entries: Collection[str]) -> frozenset[str]:
        """`Hotline Support <support@hotline.example>` → `support@hotline.example`, lowercased."""
        return frozenset(parseaddr(e)[1].strip().lower() or e.strip().lower() for e in entries)


@dataclass(frozen=True)
class Automatic:
    ignored: Ignored
    header: EmailHeader


@dataclass(frozen=True)
class Refused:
    rejection: IntakeRejection
    header: EmailHeader
    sender: str | None  # where a reply would go
    reply: bool = True


@dataclass(frozen=True)
class Accepted:
    email: InboundEmail
    submission: ValidatedSubmission
    header: EmailHeader


@dataclass(frozen=True)
class Reply:
    """An email that replies to a ticket: admission threads it in, or rejects it."""

    email: InboundEmail
    reference: ThreadReference
    directory: Directory  # the one it was screened with
    header: EmailHeader


Verdict = Automatic | Refused | Accepted | Reply


def envelope_sender(mail_from: str | None) -> str | None:
    """The SMTP reverse-path as an address (None: unknown, empty or unusable)."""
    address = _reverse_path(mail_from).lower()
    unusable = len(address) > CONTACT_MAX or any(c.isspace() or is_control(c) for c in address)
    return None if unusable else address or None


def _reverse_path(mail_from: str | None) -> str:
    return (mail_from or "").strip().strip("<>").strip()


def screen_email(
    raw: bytes, mail_from: str | None, directory: Directory, rules: ScreeningRules,
    on_header: Callable[[EmailHeader], None] = lambda header: None,
) -> Verdict:
    """`mail_from` is the SMTP reverse-path: None when unknown, "" or "<>" when empty."""
    header = read_header(raw)
    on_header(header)
    if (automatic := automatic_mail(header, mail_from, rules)) is not None:
        return automatic
    if rules.trusted_authserv_id and dmarc_result(
            header.authentication_results, rules.trusted_authserv_id) == "fail":
        return _dmarc_failed(header, directory, rules.trusted_authserv_id)
    try:
        email = parse_email(raw, max_bytes=rules.max_bytes, header=header)
    except EmailRejected as rejection:
        return Refused(rejection, header, header.sender or envelope_sender(mail_from))
    reference = thread_reference(email.subject, email.in_reply_to, email.references)
    if reference is not None:
        return Reply(email, reference, directory, header)
    try:
        accepted = validate_submission(directory, parse_subject(email.subject), email.sender)
    except IntakeRejection as rejection:
        return Refused(rejection, header, email.sender)
    return Accepted(email, accepted, header)


def automatic_mail(
    header: EmailHeader, mail_from: str | None, rules: ScreeningRules,
) -> Automatic | None:
    """`Automatic` if what is known of the email marks it as automatic mail."""
    envelope = envelope_sender(mail_from)
    marks = AutomaticMarks(
        reverse_path_empty=mail_from is not None and not _reverse_path(mail_from),
        senders=tuple(s for s in (header.sender, envelope) if s),
        auto_submitted=header.auto_submitted, precedence=header.precedence,
        content_type=header.content_type,
    )
    found = ignored(marks, rules.own_addresses)
    return Automatic(found, header) if found is not None else None


def _dmarc_failed(header: EmailHeader, directory: Directory, authserv_id: str) -> Refused:
    claimed = header.sender or "(no From address)"
    contact = directory.registered_contact(header.sender) if header.sender else None
    rejection = IntakeRejection(
        RejectionReason.DMARC_FAIL,
        f"an email claiming to come from {claimed} failed DMARC authentication at {authserv_id}, "
        "so it may have been sent by someone else; it opened no ticket",
    )
    if contact is None:
        return Refused(rejection, header, header.sender, reply=False)
    return Refused(rejection, header, contact.email)
