"""Reading raw emails: what an InboundEmail carries, and each reason an email is refused."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from hotline_intake.adapters.mime import (
    REJECTION_EXPLANATIONS,
    Attachment,
    EmailRejected,
    InboundEmail,
    parse_email,
)
from hotline_intake.domain.rejection import IntakeRejection, RejectionReason
from hypothesis import given
from hypothesis import strategies as st

LIMIT = 1024 * 1024
SUBJECT = "Acme Corp – 100 Main St, Springfield – No dial tone on all lines – Priority 1"


def email(body: str | None = "No dial tone since 09:00.\n", **headers: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = headers.pop("from_", '"Acme NOC" <NOC@Acme.Example>')
    message["To"] = "support@hotline.example"
    message["Subject"] = headers.pop("subject", SUBJECT)
    message["Message-ID"] = headers.pop("message_id", "<abc123@acme.example>")
    if body is not None:
        message.set_content(body, **headers)
    return message


def parse(message: EmailMessage | bytes, max_bytes: int = LIMIT) -> InboundEmail:
    raw = message if isinstance(message, bytes) else message.as_bytes()
    return parse_email(raw, max_bytes=max_bytes)


def rejected(message: EmailMessage | bytes, max_bytes: int = LIMIT) -> EmailRejected:
    with pytest.raises(EmailRejected) as caught:
        parse(message, max_bytes)
    return caught.value


def text_part(payload: bytes, charset: str | None, cte: str = "base64") -> EmailMessage:
    """A text/plain email whose body bytes are exactly `payload`, whatever they are."""
    message = email(body=None)
    message.set_content(payload, maintype="text", subtype="plain", cte=cte)
    if charset:
        message.set_param("charset", charset)
    return message


def test_plain_text_email() -> None:
    raw = email().as_bytes()
    parsed = parse_email(raw, max_bytes=LIMIT)
    assert parsed == InboundEmail(
        sender="noc@acme.example",
        sender_name="Acme NOC",
        subject=SUBJECT,
        message_id="<abc123@acme.example>",
        body="No dial tone since 09:00.",
        attachments=(),
        size=len(raw),
    )


def test_rfc2047_subject_and_display_name_are_decoded() -> None:
    parsed = parse(
        email(subject="Café Ünïon – 5 Rue – Pas de tonalité – P1", from_="Zoë <z@x.example>")
    )
    assert parsed.subject == "Café Ünïon – 5 Rue – Pas de tonalité – P1"
    assert parsed.sender_name == "Zoë"
    assert parsed.sender == "z@x.example"


def test_html_only_email_is_reduced_to_text() -> None:
    html = (
        "<html><head><style>p { color: red }</style></head><body>"
        "<p>Calls to <b>+1 555</b> fail.</p><p>Since&nbsp;09:00</p>"
        "<ul><li>line 1</li><li>line 2</li></ul><script>track()</script></body></html>"
    )
    parsed = parse(email(html, subtype="html"))
    assert "Calls to +1 555 fail." in parsed.body
    assert "Since 09:00" in parsed.body
    assert "line 1" in parsed.body and "line 2" in parsed.body
    for markup in ("<", "color: red", "track()", "**"):
        assert markup not in parsed.body


def test_multipart_alternative_prefers_plain_text() -> None:
    message = email("plain words")
    message.add_alternative("<p>html words</p>", subtype="html")
    parsed = parse(message)
    assert parsed.body == "plain words"
    assert parsed.attachments == ()


def test_attachments_are_recorded_by_name_size_and_type() -> None:
    message = email("See the attached capture.")
    message.add_attachment(
        b"\x00" * 1500, maintype="application", subtype="vnd.tcpdump.pcap", filename="trace.pcap"
    )
    message.add_attachment("a,b\n1,2\n", subtype="csv", filename="cdr export.csv")
    message.add_attachment(b"\x89PNG" + b"0" * 96, maintype="image", subtype="png")
    parsed = parse(message)
    assert parsed.body == "See the attached capture."
    assert parsed.attachments == (
        Attachment("trace.pcap", 1500, "application/vnd.tcpdump.pcap"),
        Attachment("cdr export.csv", len("a,b\n1,2\n"), "text/csv"),
        Attachment("unnamed-3.png", 100, "image/png"),
    )


def test_attached_email_is_one_attachment_not_the_body() -> None:
    forwarded = email("the original complaint", subject="original")
    message = email("Forwarding the customer's email.")
    message.add_attachment(forwarded)
    parsed = parse(message)
    assert parsed.body == "Forwarding the customer's email."
    [attachment] = parsed.attachments
    assert attachment.content_type == "message/rfc822"
    assert attachment.size > 0


def test_quoted_printable_body() -> None:
    body = "Ça ne marche pas: état = échec " + "x" * 100 + "\n"
    message = email(body, cte="quoted-printable")
    assert b"Content-Transfer-Encoding: quoted-printable" in message.as_bytes()
    assert parse(message).body == body.strip()


def test_base64_body() -> None:
    body = "Kein Freizeichen auf allen Leitungen — bitte prüfen.\n"
    message = email(body, cte="base64")
    assert b"Content-Transfer-Encoding: base64" in message.as_bytes()
    assert parse(message).body == body.strip()


def test_latin1_body_declared_as_such_is_accepted() -> None:
    message = text_part("Téléphone coupé à l'accueil".encode("latin-1"), "iso-8859-1")
    assert parse(message).body == "Téléphone coupé à l'accueil"


@pytest.mark.parametrize("charset", ["utf-8", None])
def test_invalid_utf8_bytes_are_rejected(charset: str | None) -> None:
    problem = rejected(text_part(b"caf\xe9 \xff\xfe broken", charset))
    assert problem.reason_code == RejectionReason.NOT_UTF8 == "not_utf8"
    assert "text/plain" in problem.message
    assert "UTF-8" in problem.message or "utf-8" in problem.message
    assert problem.sender == "noc@acme.example"


def test_invalid_bytes_in_an_8bit_part_are_rejected() -> None:
    raw = (
        b"From: noc@acme.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b"bad \xc3\x28 bytes\r\n"
    )
    assert rejected(raw).reason_code == "not_utf8"


def test_unknown_charset_is_rejected_as_not_utf8() -> None:
    problem = rejected(text_part(b"hello", "x-no-such-charset"))
    assert problem.reason_code == "not_utf8"
    assert "x-no-such-charset" in problem.message


def test_nested_part_is_named_when_its_text_is_bad() -> None:
    message = email("placeholder")
    message.add_attachment(b"x", maintype="application", subtype="octet-stream", filename="a.bin")
    body_part = next(message.iter_parts())
    body_part.set_content(b"\xff\xff", maintype="text", subtype="plain", cte="base64")
    body_part.set_param("charset", "utf-8")
    assert "MIME part 1" in rejected(message).message


@pytest.mark.parametrize("body", ["", "   \n\t\n  ", "<p>&nbsp;</p><img src='x.png'>"])
def test_empty_body_is_rejected(body: str) -> None:
    subtype = "html" if body.startswith("<") else "plain"
    problem = rejected(email(body, subtype=subtype))
    assert problem.reason_code == RejectionReason.EMPTY_BODY
    assert problem.sender == "noc@acme.example"
    assert problem.subject == SUBJECT


def test_attachments_alone_are_an_empty_body() -> None:
    message = email(body=None)
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="a.pdf")
    assert rejected(message).reason_code == "empty_body"


def test_oversized_email_is_rejected_with_sizes_in_mib_and_headers_still_read() -> None:
    message = email("x" * (3 * 1024 * 1024), cte="base64")
    problem = rejected(message, max_bytes=2 * 1024 * 1024)
    assert problem.reason_code == RejectionReason.OVERSIZED
    assert "the limit is 2.0 MiB" in problem.message
    assert "4.1 MiB" in problem.message  # 3 MiB of text in base64
    assert problem.sender == "noc@acme.example"
    assert problem.subject == SUBJECT
    assert problem.message_id == "<abc123@acme.example>"


def test_exactly_at_the_limit_is_accepted() -> None:
    raw = email().as_bytes()
    assert parse(raw, max_bytes=len(raw)).size == len(raw)
    assert rejected(raw, max_bytes=len(raw) - 1).reason_code == "oversized"


@pytest.mark.parametrize("from_", ["", "undisclosed-recipients:;", "not an address", "<>"])
def test_missing_or_unusable_from_is_no_sender(from_: str) -> None:
    message = email()
    del message["From"]
    if from_:
        message["From"] = from_
    problem = rejected(message)
    assert problem.reason_code == RejectionReason.NO_SENDER
    assert problem.sender is None
    assert problem.subject == SUBJECT


def test_first_from_address_is_the_sender() -> None:
    parsed = parse(email(from_="a@one.example, b@two.example"))
    assert parsed.sender == "a@one.example"
    assert parsed.sender_name is None


@pytest.mark.parametrize("raw", [b"", b"   \r\n", b"just some words\nno headers at all\n"])
def test_data_without_headers_is_malformed(raw: bytes) -> None:
    assert rejected(raw).reason_code == RejectionReason.MALFORMED


def test_multipart_without_boundary_is_malformed_but_sender_is_known() -> None:
    raw = (
        b"From: noc@acme.example\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed\r\n\r\nno boundary here\r\n"
    )
    problem = rejected(raw)
    assert problem.reason_code == "malformed"
    assert problem.sender == "noc@acme.example"


def test_missing_subject_is_an_empty_string_not_a_rejection() -> None:
    message = email()
    del message["Subject"]
    assert parse(message).subject == ""


def test_body_whitespace_is_normalised_but_indentation_kept() -> None:
    body = "\n\nline one   \n\n\n\n  traceroute hop 1\n\tindented\n\n\n"
    assert parse(email(body)).body == "line one\n\n  traceroute hop 1\n\tindented"


def test_rejection_carries_reason_explanation() -> None:
    problem = rejected(b"")
    assert isinstance(problem, IntakeRejection)
    assert problem.explanation == REJECTION_EXPLANATIONS["malformed"]


MIME_FRAGMENTS = [
    b"From: noc@acme.example\r\n",
    b"Subject: =?utf-8?q?caf=C3=A9?=\r\n",
    b"MIME-Version: 1.0\r\n",
    b"Content-Type: multipart/mixed; boundary=XX\r\n",
    b"Content-Type: text/plain; charset=utf-8\r\n",
    b"Content-Type: text/html; charset=latin-1\r\n",
    b"Content-Type: message/rfc822\r\n",
    b"Content-Disposition: attachment; filename*=utf-8''%E2%82%AC.txt\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: quoted-printable\r\n",
    b"\r\n",
    b"--XX\r\n",
    b"--XX--\r\n",
    b"aGVsbG8=\r\n",
    b"=E9=\r\n",
    b"<p>hi</p>",
    b"\xff\xfe",
]


@given(
    st.one_of(
        st.binary(max_size=400),
        st.lists(
            st.one_of(st.sampled_from(MIME_FRAGMENTS), st.binary(max_size=8)), max_size=25
        ).map(b"".join),
    )
)
def test_parse_email_only_ever_raises_email_rejected(raw: bytes) -> None:
    try:
        parsed = parse_email(raw, max_bytes=LIMIT)
    except EmailRejected as problem:
        assert problem.reason_code in set(RejectionReason)
        return
    assert parsed.sender and parsed.body
