"""Properties of the subject parser: it refuses only with SubjectError, its issue is always one
line of at most 200 characters, and it reads back any subject assembled from valid parts,
separators and priority spellings."""

from __future__ import annotations

import re

import unicodedata

from hotline_intake.domain.fields import ISSUE_MAX
from hotline_intake.domain.subject import SubjectError, TicketSubject, parse_subject
from hypothesis import assume, given
from hypothesis import strategies as st

FRAGMENTS = [
    "–",
    "—",
    " - ",
    "-",
    " ",
    "  ",
    "Re:",
    "Fwd: ",
    "Priority",
    "P",
    "Level",
    ":",
    "1",
    "5",
]

arbitrary_subjects = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=5)), max_size=20).map("".join),
)


@given(arbitrary_subjects)
def test_parse_subject_only_ever_raises_subject_error(subject: str) -> None:
    try:
        parsed = parse_subject(subject)
    except SubjectError as error:
        assert str(error)
        return
    assert isinstance(parsed, TicketSubject)
    assert 1 <= parsed.priority <= 4
    for part in (parsed.customer, parsed.location, parsed.issue):
        assert part and part == " ".join(part.split())
        assert not any(unicodedata.category(c) == "Cc" or c in "\u2028\u2029" for c in part)
    assert len(parsed.issue) <= ISSUE_MAX


SEPARATORS = ["–", "—", " – ", " — ", " - ", "  -  ", "\t-\t", " –", "— "]
PRIORITY_SPELLINGS = [
    "Priority {}",
    "P{}",
    "p {}",
    "Priority Level {}",
    "Priority: {}",
    "Priority Level: {}",
    "PRIORITY LEVEL:{}",
    "priority #{}",
    "{}",
]
REPLY_PREFIXES = ["", "Re: ", "RE: ", "Fwd: ", "FW: ", "Re: Fwd: "]
_LOOKS_LIKE_REPLY = re.compile(r"(?i)^(?:re|fwd?)\s*(?:\[\d+\])?\s*:")

part_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("acmeXYZ 0123456789-,.#'/&")),
        st.characters(blacklist_characters="–—\u2028\u2029", blacklist_categories=("Cs", "Cc")),
    ),
    min_size=1,
    max_size=30,
)


def usable(raw: str) -> bool:
    """A part that no separator can touch: no dashes that split, none at its edges."""
    text = " ".join(raw.split())
    return (
        bool(text)
        and not re.search(r"\s-\s", raw)
        and not text.startswith("-")
        and not text.endswith("-")
    )


@given(
    customer=part_text,
    location=part_text,
    issue=part_text,
    priority=st.one_of(st.none(), st.integers(1, 4)),
    spelling=st.sampled_from(PRIORITY_SPELLINGS),
    separators=st.lists(st.sampled_from(SEPARATORS), min_size=3, max_size=3),
    prefix=st.sampled_from(REPLY_PREFIXES),
)
def test_generated_valid_subjects_round_trip(
    customer: str,
    location: str,
    issue: str,
    priority: int | None,
    spelling: str,
    separators: list[str],
    prefix: str,
) -> None:
    assume(all(usable(part) for part in (customer, location, issue)))
    assume(not _LOOKS_LIKE_REPLY.match(" ".join(customer.split())))
    parts = [customer, location, issue]
    if priority is not None:
        parts.append(spelling.format(priority))
    else:
        # A three-part subject is only valid when its last part is not itself a priority.
        assume(_is_not_a_priority(issue))
    subject = prefix + parts[0] + "".join(sep + part for sep, part in zip(separators, parts[1:]))

    parsed = parse_subject(subject)

    assert parsed == TicketSubject(
        customer=" ".join(customer.split()),
        location=" ".join(location.split()),
        issue=" ".join(issue.split()),
        priority=priority or 3,
        priority_given=priority is not None,
    )


def _is_not_a_priority(text: str) -> bool:
    try:
        parse_subject(f"A – B – C – {text}")
    except SubjectError:
        return True
    return False
