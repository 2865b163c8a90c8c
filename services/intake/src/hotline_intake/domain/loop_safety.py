"""Mail that must never be answered: what marks an email as automatic, so that intake records
it as ignored and no reply can start a loop with an auto-responder, a mailing list, a bounce or
Hotline itself.

The marks, checked in this order on what could be read of the header (nothing else is needed,
so even an unreadable automatic email is ignored rather than answered):

* an empty reverse-path (`MAIL FROM:<>`: bounces and other notifications, RFC 5321 §4.5.5);
* a `From` (or an envelope sender) that is one of Hotline's own addresses;
* `Auto-Submitted` with any value other than `no` (RFC 3834);
* `Precedence: bulk`, `junk` or `list`;
* a delivery status notification or a read report: a top-level `multipart/report`,
  `message/delivery-status` or `message/disposition-notification` (RFC 3462, 3464, 8098).
  A report forwarded inside an ordinary email is an attachment, not a mark.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from hotline_intake.domain.rejection import ExplainedCode


class IgnoreReason(ExplainedCode):
    """Why an email was ignored: the `reason` of `hotline.submission.ignored.v1`."""

    NULL_REVERSE_PATH = ("null_reverse_path", "It was sent with an empty reverse-path (MAIL FROM:<>).")
    OWN_ADDRESS = ("own_address", "It comes from one of Hotline's own addresses.")
    AUTO_SUBMITTED = ("auto_submitted", "It is marked Auto-Submitted (an automatic reply or message).")
    BULK_PRECEDENCE = ("bulk_precedence", "It is marked Precedence: bulk, junk or list.")
    DELIVERY_REPORT = ("delivery_report", "It is a delivery status notification or a read report.")


REPORT_TYPES = frozenset({
    "multipart/report", "message/delivery-status", "message/disposition-notification",
})
BULK_PRECEDENCES = frozenset({"bulk", "junk", "list"})


@dataclass(frozen=True)
class AutomaticMarks:
    """What the header (and the SMTP envelope) say about an email's origin."""

    reverse_path_empty: bool = False
    senders: tuple[str, ...] = ()  # From and envelope sender, lowercased, where known
    auto_submitted: str | None = None
    precedence: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Ignored:
    reason: IgnoreReason
    detail: str


def ignored(marks: AutomaticMarks, own_addresses: Collection[str]) -> Ignored | None:
    """The first mark of automatic mail this email carries, or None for one a person sent."""
    if marks.reverse_path_empty:
        return Ignored(IgnoreReason.NULL_REVERSE_PATH, "the envelope sender is empty (MAIL FROM:<>)")
    own = next((s for s in marks.senders if s in own_addresses), None)
    if own is not None:
        return Ignored(IgnoreReason.OWN_ADDRESS, f"{own} is one of Hotline's own addresses")
    auto = _first_word(marks.auto_submitted)
    if auto and auto != "no":
        return Ignored(IgnoreReason.AUTO_SUBMITTED, f"Auto-Submitted: {auto}")
    precedence = _first_word(marks.precedence)
    if precedence in BULK_PRECEDENCES:
        return Ignored(IgnoreReason.BULK_PRECEDENCE, f"Precedence: {precedence}")
    if marks.content_type in REPORT_TYPES:
        return Ignored(IgnoreReason.DELIVERY_REPORT, f"Content-Type: {marks.content_type}")
    return None


def _first_word(value: str | None) -> str | None:
    """`auto-replied; owner-email=…` → `auto-replied` (parameters and comments dropped)."""
    if not value:
        return None
    word = value.split(";", 1)[0].split("(", 1)[0].strip().lower()
    return word[:40] or None
