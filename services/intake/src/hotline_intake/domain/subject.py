"""The ticket subject line the contract prescribes, and its parser.

    CUSTOMER Name – Location Address – Issue Description – Priority Level

Grammar, as accepted here:

* Parts are separated by an en dash (–) or em dash (—), with or without spaces around it, or
  by a hyphen with whitespace on both sides (" - "). Separators may be mixed. A hyphen without
  spaces ("Smith-Jones", "12-14 Main St") is part of the text.
* Leading reply/forward prefixes are stripped, repeatedly and case-insensitively: "Re:",
  "Fw:", "Fwd:" (also "Re[2]:", "RE :"), so replying to a rejection with a corrected subject
  works.
* Whitespace inside a part is collapsed to single spaces. Separators at the end of the subject
  are ignored ("… – No dial tone –" is three parts); one at the start leaves the customer name
  empty, which is an error.
* The priority is "Priority N", "Priority Level N", "P N" (each with an optional ":" or "#",
  any case), or a bare "N", with N in 1–4.
* Four parts: the last must be a priority; otherwise it is an error (we do not guess that the
  issue description contained a spaced dash).
* Three parts: the priority is missing and the contract default, Priority 3, applies. If the
  third part *is* a priority, the location or issue description is missing: an error.
* Any other number of parts is an error. Every error is a `SubjectError` whose message says
  what was wrong, suitable for a reply together with `EXPECTED_SUBJECT_FORMAT`.
* The result is bounded (see `fields`): control characters and line breaks count as spaces, an
  issue description over 200 characters is cut there (not an error); a customer name over 200
  or a location over 300 characters is an error (no registered one is that long).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline_intake.domain.fields import CUSTOMER_MAX, LOCATION_MAX, bounded_issue, cut, one_line
from hotline_intake.domain.rejection import IntakeRejection, RejectionReason

SUBJECT_FORMAT_LINE = "CUSTOMER Name – Location Address – Issue Description – Priority Level"
SUBJECT_EXAMPLE = "Acme Corp – 100 Main St, Springfield – No dial tone on all lines – Priority 1"
EXPECTED_SUBJECT_FORMAT = (
    f"{SUBJECT_FORMAT_LINE}\n"
    f"for example: {SUBJECT_EXAMPLE}\n"
    "(Priority 1 to 4; without a priority, Priority 3 applies.)"
)

#: The contract: "Priority 3: This is the default priority".
DEFAULT_PRIORITY = 3
PRIORITIES = range(1, 5)

_SEPARATOR = re.compile(r"\s*[\u2013\u2014]\s*|\s+-\s+")
_REPLY_PREFIX = re.compile(r"^\s*(?:re|fwd?)\s*(?:\[\d+\])?\s*:\s*", re.IGNORECASE)
_PRIORITY_WORD = re.compile(
    r"^(?:priority(?:\s*level)?|p(?=\s*[:#]?\s*\d))\s*[:#]?\s*(?P<value>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_PART_NAMES = ("customer name", "location address", "issue description")


class SubjectError(IntakeRejection, ValueError):
    """The subject line does not follow the ticket format; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(RejectionReason.MALFORMED_SUBJECT, message)


@dataclass(frozen=True)
class TicketSubject:
    """The four fields of a well-formed subject line, whitespace-normalised."""

    customer: str
    location: str
    issue: str
    priority: int
    priority_given: bool

    def __post_init__(self) -> None:
        if self.priority not in PRIORITIES:
            raise ValueError(f"priority must be 1–4, not {self.priority!r}")


def parse_subject(subject: str) -> TicketSubject:
    """Parse a subject line, or raise `SubjectError` saying what is wrong with it."""
    text = _strip_reply_prefixes(one_line(subject))
    if not text:
        raise SubjectError(f"the subject is empty; expected: {SUBJECT_FORMAT_LINE}")
    parts = [" ".join(part.split()) for part in _SEPARATOR.split(text)]
    if not any(parts):
        raise SubjectError(f"the subject has only dashes; expected: {SUBJECT_FORMAT_LINE}")
    while not parts[-1]:
        parts.pop()

    if len(parts) == 4:
        *fields, priority = parts
        return _subject(fields, _parse_priority(priority), priority_given=True)
    if len(parts) == 3:
        if _looks_like_priority(parts[2]):
            raise SubjectError(
                f"the subject has 3 parts and the last one, {parts[2]!r}, is a priority, so the "
                f"location address or the issue description is missing; "
                f"expected 4: {SUBJECT_FORMAT_LINE}"
            )
        return _subject(parts, DEFAULT_PRIORITY, priority_given=False)
    raise SubjectError(_wrong_part_count(len(parts)))


def _strip_reply_prefixes(subject: str) -> str:
    text = subject.strip()
    while match := _REPLY_PREFIX.match(text):
        text = text[match.end() :]
    return text.strip()


def _subject(fields: list[str], priority: int, *, priority_given: bool) -> TicketSubject:
    for name, value in zip(_PART_NAMES, fields, strict=True):
        if not value:
            raise SubjectError(f"the {name} is empty; expected: {SUBJECT_FORMAT_LINE}")
    customer, location, issue = fields
    for name, value, limit in (("customer name", customer, CUSTOMER_MAX),
                               ("location address", location, LOCATION_MAX)):
        if len(value) > limit:
            raise SubjectError(f"the {name} {cut(value, 60)!r}… is {len(value)} characters long; "
                               f"the limit is {limit}")
    return TicketSubject(customer, location, bounded_issue(issue), priority, priority_given)


def _priority_value(part: str) -> str:
    match = _PRIORITY_WORD.match(part)
    return match["value"].strip() if match else part


def _looks_like_priority(part: str) -> bool:
    return _priority_value(part) in {str(p) for p in PRIORITIES}


def _parse_priority(part: str) -> int:
    value = _priority_value(part)
    if value in {str(p) for p in PRIORITIES}:
        return int(value)
    if not value:
        raise SubjectError(f"the priority {part!r} has no level; write Priority 1–4")
    raise SubjectError(
        f"priority {value!r} is not one of Priority 1–4 (write e.g. 'Priority 1' or 'P1'); "
        "a dash with spaces around it always starts a new part, so write hyphens inside the "
        "issue description without spaces"
    )


def _wrong_part_count(count: int) -> str:
    found = (
        "the subject has no dashes separating its parts"
        if count == 1
        else f"the subject has {count} parts separated by dashes"
    )
    hint = (
        "; a dash with spaces around it always separates parts, so write hyphens inside a name "
        "or description without spaces"
        if count > 4
        else ""
    )
    return f"{found}; expected 4 (or 3 without the priority): {SUBJECT_FORMAT_LINE}{hint}"
