"""The subject-line grammar: a table of subjects that parse and subjects that are refused."""

from __future__ import annotations

import pytest
from hotline_intake.domain.rejection import IntakeRejection, RejectionReason
from hotline_intake.domain.subject import (
    DEFAULT_PRIORITY,
    EXPECTED_SUBJECT_FORMAT,
    SUBJECT_EXAMPLE,
    SubjectError,
    TicketSubject,
    parse_subject,
)

ACME = ("Acme Corp", "100 Main St, Springfield", "No dial tone on all lines")


def given(priority: int, *fields: str) -> TicketSubject:
    return TicketSubject(*(fields or ACME), priority=priority, priority_given=True)


def defaulted(*fields: str) -> TicketSubject:
    return TicketSubject(*(fields or ACME), priority=DEFAULT_PRIORITY, priority_given=False)


GOOD = {
    # separators
    "en dash": (f"{' – '.join(ACME)} – Priority 1", given(1)),
    "em dash": (f"{' — '.join(ACME)} — Priority 1", given(1)),
    "spaced hyphen": (f"{' - '.join(ACME)} - Priority 1", given(1)),
    "unspaced en dash": (
        "Acme Corp–100 Main St, Springfield–No dial tone on all lines–P1",
        given(1),
    ),
    "unspaced em dash": (
        "Acme Corp—100 Main St, Springfield—No dial tone on all lines—P1",
        given(1),
    ),
    "mixed": ("Acme Corp – 100 Main St, Springfield — No dial tone on all lines - P1", given(1)),
    "tab around hyphen": (
        "Acme Corp\t-\t100 Main St, Springfield - No dial tone on all lines - P1",
        given(1),
    ),
    # priority spellings
    "Priority 2": (f"{' – '.join(ACME)} – Priority 2", given(2)),
    "P3": (f"{' – '.join(ACME)} – P3", given(3)),
    "p4 lowercase": (f"{' – '.join(ACME)} – p4", given(4)),
    "P 2 spaced": (f"{' – '.join(ACME)} – P 2", given(2)),
    "Priority Level 1": (f"{' – '.join(ACME)} – Priority Level 1", given(1)),
    "Priority: 1": (f"{' – '.join(ACME)} – Priority: 1", given(1)),
    "Priority Level: 2": (f"{' – '.join(ACME)} – Priority Level: 2", given(2)),
    "PRIORITY LEVEL 4": (f"{' – '.join(ACME)} – PRIORITY LEVEL 4", given(4)),
    "priority level:3": (f"{' – '.join(ACME)} – priority level:3", given(3)),
    "Priority1": (f"{' – '.join(ACME)} – Priority1", given(1)),
    "Priority #2": (f"{' – '.join(ACME)} – Priority #2", given(2)),
    "bare digit": (f"{' – '.join(ACME)} – 2", given(2)),
    "explicit Priority 3 is given": (f"{' – '.join(ACME)} – Priority 3", given(3)),
    # missing priority -> contract default
    "three parts": (" – ".join(ACME), defaulted()),
    "three parts, hyphens": (" - ".join(ACME), defaulted()),
    # hyphens that are text, not separators
    "hyphenated names": (
        "Smith-Jones Ltd – 12-14 Main St – Call-forwarding loops – P2",
        given(2, "Smith-Jones Ltd", "12-14 Main St", "Call-forwarding loops"),
    ),
    "hyphen at word end": (
        "Acme Corp – 100 Main St – re- and de-registration – P2",
        given(2, "Acme Corp", "100 Main St", "re- and de-registration"),
    ),
    # whitespace
    "extra spaces": (
        " Acme   Corp  –   100  Main St,   Springfield –No dial tone on all lines–  Priority   1  ",
        given(1),
    ),
    "trailing separator": (f"{' – '.join(ACME)} – Priority 1 –", given(1)),
    "trailing separator, no priority": (f"{' – '.join(ACME)} –", defaulted()),
    # reply and forward prefixes
    "Re:": (f"Re: {' – '.join(ACME)} – P1", given(1)),
    "RE:": (f"RE: {' – '.join(ACME)} – P1", given(1)),
    "Fwd:": (f"Fwd: {' – '.join(ACME)} – P1", given(1)),
    "FW:": (f"FW: {' – '.join(ACME)} – P1", given(1)),
    "stacked": (f"Re: Fwd: RE:FW: {' – '.join(ACME)} – P1", given(1)),
    "Re[2]:": (f"Re[2]: {' – '.join(ACME)} – P1", given(1)),
    "Re with space": (f"Re : {' – '.join(ACME)} – P1", given(1)),
    "example": (SUBJECT_EXAMPLE, given(1)),
    "non-ascii": (
        "Café Ünïon – 5 Rue de la Paix – Pas de tonalité – P2",
        given(2, "Café Ünïon", "5 Rue de la Paix", "Pas de tonalité"),
    ),
    "prefix-like word kept": (
        "Reliance Corp – 1 Main St – Relay down – P1",
        given(1, "Reliance Corp", "1 Main St", "Relay down"),
    ),
}


@pytest.mark.parametrize(("subject", "expected"), GOOD.values(), ids=GOOD.keys())
def test_good_subjects_parse(subject: str, expected: TicketSubject) -> None:
    assert parse_subject(subject) == expected


BAD = {
    "empty": ("", "the subject is empty"),
    "blank": ("   ", "the subject is empty"),
    "only a prefix": ("Re: ", "the subject is empty"),
    "one part": ("No dial tone", "no dashes separating its parts"),
    "unspaced hyphen does not split": ("Acme-Main St-No tone-P1", "no dashes separating"),
    "two parts": (
        "Acme Corp – No dial tone",
        "the subject has 2 parts separated by dashes; expected 4",
    ),
    "five parts": (
        "Acme Corp – 100 Main St – Calls fail - inbound only – P1",
        "the subject has 5 parts",
    ),
    "three parts ending in a priority": (
        "Acme Corp – No dial tone – Priority 1",
        "is a priority, so the location address or the issue description is missing",
    ),
    "three parts ending in P2": ("Acme Corp – 100 Main St – P2", "is a priority"),
    "word priority": (
        f"{' – '.join(ACME)} – urgent",
        "priority 'urgent' is not one of Priority 1–4",
    ),
    "Priority word": (f"{' – '.join(ACME)} – Priority urgent", "priority 'urgent' is not one of"),
    "priority 5": (f"{' – '.join(ACME)} – Priority 5", "priority '5' is not one of Priority 1–4"),
    "priority 0": (f"{' – '.join(ACME)} – P0", "priority '0' is not one of"),
    "no level": (f"{' – '.join(ACME)} – Priority", "has no level"),
    "issue dash misread": (
        "Acme Corp – 100 Main St – Calls fail - inbound only",
        "priority 'inbound only' is not one of",
    ),
    "only dashes": (" – — ", "the subject has only dashes"),
    "empty customer": ("  – 100 Main St – No tone – P1", "the customer name is empty"),
    "empty customer after Re:": ("Re: – 100 Main St – No tone – P1", "the customer name is empty"),
    "empty location": ("Acme Corp –  – No tone – P1", "the location address is empty"),
    "empty issue": ("Acme Corp – 100 Main St – – P1", "the issue description is empty"),
}


@pytest.mark.parametrize(("subject", "message"), BAD.values(), ids=BAD.keys())
def test_bad_subjects_are_refused_with_a_reason(subject: str, message: str) -> None:
    with pytest.raises(SubjectError) as caught:
        parse_subject(subject)
    assert message in str(caught.value)


def test_subject_error_is_a_value_error_and_an_intake_rejection() -> None:
    with pytest.raises(SubjectError) as caught:
        parse_subject("nonsense")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, IntakeRejection)
    assert caught.value.reason_code == RejectionReason.MALFORMED_SUBJECT == "malformed_subject"


def test_expected_format_has_the_contract_line_and_an_example() -> None:
    assert "CUSTOMER Name – Location Address – Issue Description – Priority Level" in (
        EXPECTED_SUBJECT_FORMAT
    )
    assert SUBJECT_EXAMPLE in EXPECTED_SUBJECT_FORMAT
    assert parse_subject(SUBJECT_EXAMPLE).priority == 1


def test_ticket_subject_refuses_an_out_of_range_priority() -> None:
    with pytest.raises(ValueError):
        TicketSubject("A", "B", "C", priority=5, priority_given=True)
