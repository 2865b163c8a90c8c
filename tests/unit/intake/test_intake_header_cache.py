"""Intake's reading policy (`header_cache.INBOUND`) reads every header as `policy.default` does,
and makes each (name, value) header once."""

from email import policy
from email.parser import BytesParser

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline_intake.adapters.mime.header_cache import CACHED_VALUE_MAX, INBOUND

NAMES = ["Subject", "From", "To", "Content-Type", "Content-Disposition", "Message-ID",
         "References", "MIME-Version", "Content-Transfer-Encoding", "X-Anything", "Date"]
VALUES = st.one_of(
    st.text(max_size=80),
    st.sampled_from(['text/plain; charset="utf-8"', "multipart/mixed; boundary=xyz",
                     "=?utf-8?q?Caf=C3=A9?= – 100 Main St", '"Ann" <ann@acme.example>, bo@x',
                     "attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf", "<a@b> <c@d>",
                     "1.0", "base64", "Tue, 1 Dec 2026 10:00:00 -0800", "\udcff\udcfe",
                     "<unclosed", "a@", ";;;", ""]))


def _read(value_policy, name: str, value: str):
    return value_policy.header_fetch_parse(name, value)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(NAMES), VALUES)
def test_every_header_reads_as_policy_default_reads_it(name: str, value: str) -> None:
    try:
        expected = _read(policy.default, name, value)
    except Exception as exc:  # noqa: BLE001 - the same error is what must come back
        try:
            _read(INBOUND, name, value)
        except Exception as same:  # noqa: BLE001
            assert type(same) is type(exc)
            return
        raise AssertionError(f"policy.default raised {exc!r}, the cached policy did not")
    for _ in range(2):  # made, then taken from the cache
        got = _read(INBOUND, name, value)
        assert str(got) == str(expected)
        assert type(got).__mro__[1] is type(expected).__mro__[1]  # the same header class
        assert [type(d) for d in got.defects] == [type(d) for d in expected.defects]


def test_a_repeated_header_is_made_once_and_a_long_one_each_time() -> None:
    raw = (b"From: noc@acme.example\r\nSubject: x\r\n"
           b"Content-Type: text/plain; charset=\"utf-8\"\r\n\r\nbody\r\n")
    first, second = (BytesParser(policy=INBOUND).parsebytes(raw) for _ in range(2))
    assert first["Content-Type"] is second["Content-Type"]
    assert first.get_content_type() == "text/plain" and first.get_content_charset() == "utf-8"
    long = "x" * (CACHED_VALUE_MAX + 1)
    assert _read(INBOUND, "Subject", long) is not _read(INBOUND, "Subject", long)
    assert str(_read(INBOUND, "Subject", long)) == long
