"""The marks of automatic mail, as a table: which header values make an email one intake must
never answer, and which do not."""

from __future__ import annotations

import pytest

from hotline_intake.domain.loop_safety import AutomaticMarks, ignored

OWN = frozenset({"support@hotline.example"})


@pytest.mark.parametrize("marks, reason", [
    (AutomaticMarks(reverse_path_empty=True), "null_reverse_path"),
    (AutomaticMarks(senders=("support@hotline.example",)), "own_address"),
    (AutomaticMarks(senders=("noc@acme.example", "support@hotline.example")), "own_address"),
    (AutomaticMarks(auto_submitted="auto-replied"), "auto_submitted"),
    (AutomaticMarks(auto_submitted="Auto-Generated"), "auto_submitted"),
    (AutomaticMarks(auto_submitted="auto-notified; owner-email=x@y"), "auto_submitted"),
    (AutomaticMarks(auto_submitted="something-new"), "auto_submitted"),
    (AutomaticMarks(precedence="bulk"), "bulk_precedence"),
    (AutomaticMarks(precedence="JUNK"), "bulk_precedence"),
    (AutomaticMarks(precedence="list (mailing list)"), "bulk_precedence"),
    (AutomaticMarks(content_type="multipart/report"), "delivery_report"),
    (AutomaticMarks(content_type="message/delivery-status"), "delivery_report"),
    (AutomaticMarks(content_type="message/disposition-notification"), "delivery_report"),
])
def test_automatic_mail(marks, reason):
    found = ignored(marks, OWN)
    assert found is not None and found.reason == reason and found.detail


@pytest.mark.parametrize("marks", [
    AutomaticMarks(),
    AutomaticMarks(senders=("noc@acme.example",)),
    AutomaticMarks(auto_submitted="no"),
    AutomaticMarks(auto_submitted="No (a person wrote this)"),
    AutomaticMarks(auto_submitted=""),
    AutomaticMarks(precedence="first-class"),
    AutomaticMarks(content_type="multipart/mixed"),
])
def test_mail_a_person_sent(marks):
    assert ignored(marks, OWN) is None


def test_every_reason_is_published():
    from typing import get_args

    from hotline.contracts.submissions import IgnoreReason as Published
    from hotline_intake.domain.loop_safety import IgnoreReason

    assert {r.value for r in IgnoreReason} == set(get_args(Published))
    assert all(r.explanation for r in IgnoreReason)
