"""The reason codes: one list, each explained, and the same list the published event allows."""

from __future__ import annotations

from typing import get_args

from hotline.contracts.submissions import RejectionReason as ContractReason
from hotline_intake.adapters.mime import EmailRejected
from hotline_intake.domain.directory import SubmissionRejected
from hotline_intake.domain.rejection import (
    REJECTION_EXPLANATIONS,
    IntakeRejection,
    RejectionReason,
)
from hotline_intake.domain.subject import SubjectError


def test_reason_codes_match_the_published_event() -> None:
    assert {reason.value for reason in RejectionReason} == set(get_args(ContractReason))


def test_every_reason_has_a_one_line_explanation() -> None:
    for reason in RejectionReason:
        assert reason.explanation and "\n" not in reason.explanation
        assert REJECTION_EXPLANATIONS[reason] == reason.explanation


def test_reason_codes_are_plain_strings() -> None:
    assert RejectionReason("not_utf8") is RejectionReason.NOT_UTF8
    assert f"{RejectionReason.NOT_UTF8}" == "not_utf8"


def test_every_rejection_shares_one_base() -> None:
    for kind in (SubjectError, SubmissionRejected, EmailRejected):
        assert issubclass(kind, IntakeRejection)
    problem = EmailRejected(RejectionReason.NO_SENDER, "no From:", subject="s")
    assert (problem.reason_code, problem.message, problem.sender, problem.subject) == (
        "no_sender",
        "no From:",
        None,
        "s",
    )
