"""Fuzzed edges: arbitrary bytes and strings into the subject parser, the header reader and the
whole email handling the SMTP listener calls. Nothing comes out but a defined outcome — never an
exception, which the listener would have to answer with 451 forever."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotline_intake.adapters.mime import read_header
from hotline_intake.domain.fields import ISSUE_MAX, is_control
from hotline_intake.domain.subject import SubjectError, parse_subject
from hotline_intake.screening import Accepted, Automatic, Refused, screen_email
from hotline_intake.submissions import Duplicate, Ignored, Opened, Rejected
from intake_fakes import ACME_SUBJECT, make_submissions

FRAGMENTS = [
    b"From: noc@acme.example\r\n", b"From: <>\r\n", b"From: support@hotline.example\r\n",
    b"Subject: " + ACME_SUBJECT.encode() + b"\r\n", b"Subject: =?utf-8?q?caf=C3=A9?=\r\n",
    b"Message-ID: <a@b>\r\n", b"Auto-Submitted: auto-replied\r\n", b"Precedence: bulk\r\n",
    b"Authentication-Results: mx.hotline.example; dmarc=fail\r\n",
    b"MIME-Version: 1.0\r\n", b"Content-Type: multipart/mixed; boundary=XX\r\n",
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=XX\r\n",
    b'Content-Type: text/plain; charset="utf-8\x00"\r\n', b"Content-Type: text/plain; charset=base64\r\n",
    b"Content-Type: text/html; charset=latin-1\r\n", b"Content-Type: message/rfc822\r\n",
    b"Content-Type: text/plain; charset*=x-unknown''%FF\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.txt\r\n",
    b"Content-Transfer-Encoding: base64\r\n", b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"\r\n", b"--XX\r\n", b"--XX--\r\n", b"aGVsbG8=\r\n", b"=E9=\r\n", b"<p>hi</p>", b"\xff\xfe",
    b"\r\n\t", b"\x00",
]
CHARSETS = [b"utf-8", b'"utf-8\x00"', b"latin-1", b"utf-16", b"idna", b"punycode", b"rot13",
            b"unicode_escape", b"utf-7", b"x-unknown", b"", b"\xff"]


@st.composite
def well_formed_heads(draw) -> bytes:
    """A readable header with arbitrary subject, charset and body: reaches the deep paths."""
    subject = draw(st.one_of(st.binary(max_size=120), st.just(ACME_SUBJECT.encode())))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from([b"8bit", b"base64", b"quoted-printable", b"7bit"]))
    subtype = draw(st.sampled_from([b"plain", b"html"]))
    return (b"From: noc@acme.example\r\nSubject: " + subject + b"\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/" + subtype + b"; charset=" + charset + b"\r\n"
            b"Content-Transfer-Encoding: " + cte + b"\r\n\r\n" + draw(st.binary(max_size=200)))


raw_emails = st.one_of(
    st.binary(max_size=400),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=8)), max_size=25).map(b"".join),
    well_formed_heads(),
)
mail_froms = st.sampled_from([None, "", "<>", "noc@acme.example", "x@y.example", "\x00"])
SUBMISSIONS = make_submissions(trusted_authserv_id="mx.hotline.example")


def _one_line_issue(subject: str) -> None:
    try:
        parsed = parse_subject(subject)
    except SubjectError as error:
        assert error.message and error.reason_code == "malformed_subject"
        return
    assert len(parsed.issue) <= ISSUE_MAX and not any(is_control(c) for c in parsed.issue)


@given(st.binary(max_size=300))
def test_subject_parser_on_arbitrary_bytes_through_the_header(noise: bytes):
    header = read_header(b"From: noc@acme.example\r\nSubject: " + noise + b"\r\n\r\nbody")
    _one_line_issue(header.subject or "")


@given(st.text(max_size=400))
def test_subject_parser_on_arbitrary_text(subject: str):
    _one_line_issue(subject)


@given(raw_emails)
def test_header_reading_never_raises(raw: bytes):
    header = read_header(raw)
    assert header.size == len(raw)
    assert header.subject is None or ("\n" not in header.subject and len(header.subject) <= 998)


@settings(max_examples=300, deadline=None)
@given(raw_emails, mail_froms)
def test_screening_never_raises(raw: bytes, mail_from: str | None):
    """Without the listener's safety net (a bug while reading is a `malformed` rejection)."""
    verdict = screen_email(raw, mail_from, SUBMISSIONS.directory, SUBMISSIONS.rules)
    assert isinstance(verdict, (Accepted, Automatic, Refused))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_emails, mail_froms)
def test_the_smtp_path_only_ever_yields_a_defined_outcome(raw: bytes, mail_from: str | None):
    outcome = asyncio.run(SUBMISSIONS.receive_email(raw, mail_from))
    assert isinstance(outcome, (Opened, Rejected, Ignored, Duplicate))
    if isinstance(outcome, Rejected):
        assert outcome.reason and outcome.detail
