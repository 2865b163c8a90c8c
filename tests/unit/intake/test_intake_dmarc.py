"""Spoof resistance: with a trusted authserv-id configured, a DMARC fail rejects the email, and
the reply goes to the registered contact the From claims — never to Reply-To, the envelope or
an unregistered From. Other Authentication-Results fields are not trusted."""

from __future__ import annotations

import pytest

from hotline_intake.adapters.authentication_results import dmarc_result
from hotline_intake.submissions import Opened, Rejected
from intake_fakes import ACME_NOC, email, make_submissions, published

MX = "mx.hotline.example"


def results(*fields: str) -> bytes:
    raw = email(sender="Acme NOC <NOC@acme.example>", Reply_To="attacker@evil.example")
    head = b"".join(b"Authentication-Results: " + f.encode() + b"\r\n" for f in fields)
    return head + raw


async def test_a_dmarc_fail_from_a_registered_contact_is_answered_to_that_contact_only():
    submissions = make_submissions(trusted_authserv_id=MX)
    raw = results(f"{MX}; spf=fail smtp.mailfrom=evil.example; dmarc=fail header.from=acme.example")
    outcome = await submissions.receive_email(raw, "bounce@evil.example")
    assert isinstance(outcome, Rejected) and outcome.reason == "dmarc_fail"
    assert outcome.reply_to == ACME_NOC and outcome.reply
    [event] = published(submissions.app)
    assert event.data.sender == ACME_NOC and event.data.reply
    assert "failed DMARC authentication" in event.data.detail


async def test_a_dmarc_fail_from_an_unregistered_address_gets_no_reply():
    submissions = make_submissions(trusted_authserv_id=MX)
    raw = results(f"{MX}; dmarc=fail header.from=acme.example").replace(
        b"NOC@acme.example", b"ceo@acme.example")
    outcome = await submissions.receive_email(raw, "ceo@acme.example")
    assert isinstance(outcome, Rejected) and outcome.reason == "dmarc_fail"
    assert outcome.reply is False
    [event] = published(submissions.app)
    assert event.data.reply is False


async def test_a_forged_pass_below_the_trusted_fail_changes_nothing():
    submissions = make_submissions(trusted_authserv_id=MX)
    raw = results(f"{MX}; dmarc=fail header.from=acme.example", f"{MX}; dmarc=pass")
    assert (await submissions.receive_email(raw, ACME_NOC)).reason == "dmarc_fail"


@pytest.mark.parametrize("fields", [
    ("evil.example; dmarc=fail header.from=acme.example",),  # not the trusted server
    (f"{MX}; dmarc=pass header.from=acme.example",),
    (f"{MX}; none",),
    (f"{MX}; dmarc",),  # unreadable: not trusted
    (),
])
async def test_without_a_trusted_fail_the_email_opens_a_ticket(fields):
    submissions = make_submissions(trusted_authserv_id=MX)
    assert isinstance(await submissions.receive_email(results(*fields), ACME_NOC), Opened)


async def test_unset_trusts_no_authentication_results():
    raw = results(f"{MX}; dmarc=fail header.from=acme.example")
    assert isinstance(await make_submissions().receive_email(raw, ACME_NOC), Opened)


async def test_a_dmarc_failure_does_not_claim_its_message_id():
    """A forger who copies a Message-ID must not make the real email a duplicate."""
    submissions = make_submissions(trusted_authserv_id=MX)
    await submissions.receive_email(results(f"{MX}; dmarc=fail"), ACME_NOC)
    real = await submissions.receive_email(results(f"{MX}; dmarc=pass"), ACME_NOC)
    assert isinstance(real, Opened)


def test_dmarc_result_reads_only_the_trusted_authserv_id_ignoring_case():
    assert dmarc_result([f"{MX.upper()}; dmarc=FAIL"], MX) == "fail"
    assert dmarc_result(["other; dmarc=fail", f"{MX}; dmarc=pass"], MX) == "pass"
    assert dmarc_result(["other; dmarc=fail"], MX) is None
    assert dmarc_result(["\x00;;;", ""], MX) is None
