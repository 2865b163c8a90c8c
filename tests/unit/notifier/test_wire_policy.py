"""The notifier's wire policy writes every header exactly as compat32 does (its one-line fast
path only skips the folding machinery), and a composed email reads back whole."""

from email import message_from_bytes, policy

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline_notifier.adapters.smtp import WIRE_POLICY, SmtpSender, wire_bytes

COMPAT32 = policy.compat32.clone(linesep="\r\n", max_line_length=998)
NAMES = st.sampled_from(["Subject", "To", "From", "Message-ID", "X-Hotline-Ticket", "References"])
VALUES = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=127), max_size=1100),  # controls, long lines
    st.text(alphabet=" \t=?abcQBq_-:;\"'<>@.,()", max_size=300),  # encoded-word lookalikes
    st.text(max_size=300),  # other than ASCII: compat32's own path
)


def _fold(wire_policy, name: str, value: str) -> bytes | type:
    try:
        return wire_policy.fold_binary(name, value)
    except Exception as exc:  # noqa: BLE001 - the same error is what must come back
        return type(exc)


@settings(max_examples=2000, deadline=None)
@given(NAMES, VALUES)
def test_every_header_is_written_as_compat32_writes_it(name: str, value: str) -> None:
    assert _fold(WIRE_POLICY, name, value) == _fold(COMPAT32, name, value)


def test_a_confirmation_with_html_reads_back_whole() -> None:
    sender = SmtpSender("smtp://127.0.0.1:1025", "Hotline <support@hotline.example>")
    message = sender.compose(recipient="noc@acme.example", subject="T-000001 – received",
                             body="We have your ticket.\n" + "=" * 100, message_id="<t1@hotline>",
                             html="<p>We have <b>your</b> ticket.</p>")
    read = message_from_bytes(wire_bytes(message), policy=policy.default)
    assert read["Subject"] == "T-000001 – received" and read["To"] == "noc@acme.example"
    assert read.get_content_type() == "multipart/alternative"
    text, html = (part.get_content() for part in read.iter_parts())
    assert text.replace("\r\n", "\n").rstrip("\n") == "We have your ticket.\n" + "=" * 100
    assert "<b>your</b>" in html
