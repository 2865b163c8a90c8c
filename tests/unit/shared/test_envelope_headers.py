"""CloudEvent headers are checked where they are built and where they are read: a value with
a control character or over the limit is refused at both ends, and every unreadable message
is refused with the reason its dead letter will carry."""

from __future__ import annotations

import dataclasses
from uuid import uuid4

import pytest
from cloudevent_garbage import Garbage, encoded, garbage, valid_event
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.contracts.envelope import MAX_HEADER_CHARS, REASONS, EnvelopeError, parse, printable

EVENT = valid_event(7, uuid4())


@pytest.mark.parametrize("subject", ["T-1\r\nX-Injected: yes", "T-1\nx", "T-1\x00", "T-1\u2028",
                                     "T" * (MAX_HEADER_CHARS + 1)])
def test_headers_refuse_control_characters_and_over_long_values(subject):
    with pytest.raises(EnvelopeError, match="ce_subject"):
        dataclasses.replace(EVENT, subject=subject).headers()


def test_a_valid_event_reads_back_as_itself():
    assert parse(encoded(EVENT), EVENT.body()) == EVENT


@pytest.mark.parametrize(("spoil", "reason"), [
    (lambda h, b: ({**h, "ce_subject": b"T-1\r\nBcc: x"}, b), "malformed-headers"),
    (lambda h, b: ({**h, "ce_time": b"2026-11-25T18:00:00"}, b), "malformed-headers"),  # naive
    (lambda h, b: ({**h, "hotline_position": b"0"}, b), "malformed-headers"),
    (lambda h, b: ({**h, "ce_id": b"\xff\xfe"}, b), "malformed-headers"),
    (lambda h, b: ({**h, "ce_type": b"hotline.nothing.v9"}, b), "unknown-type"),
    (lambda h, b: (h, b[:-1]), "malformed-body"),
    (lambda h, b: (h, b'{"ticket_number": "T-1"}'), "wrong-schema"),
])
def test_unreadable_messages_name_their_reason(spoil, reason):
    headers, body = spoil(encoded(EVENT), EVENT.body())
    with pytest.raises(EnvelopeError) as refused:
        parse(headers, body)
    assert refused.value.reason == reason


@settings(max_examples=300)
@given(garbage(EVENT))
def test_every_spoilt_record_is_refused_with_its_reason(record: Garbage):
    with pytest.raises(EnvelopeError) as refused:
        parse(dict(record.headers), record.body)
    assert refused.value.reason == record.reason


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from([*encoded(EVENT), "x"]), st.one_of(st.none(), st.binary(max_size=30))),
       st.binary(max_size=300))
def test_arbitrary_headers_and_bodies_are_read_or_refused_with_a_known_reason(headers, body):
    try:
        parse({**encoded(EVENT), **headers}, body)
    except EnvelopeError as exc:
        assert exc.reason in REASONS


@given(st.text(max_size=3000))
def test_free_text_for_headers_is_made_printable_and_bounded(text):
    shown = printable(text, 2000)
    assert len(shown) <= 2000
    assert not any(c in shown for c in "\r\n\x00\u2028")
