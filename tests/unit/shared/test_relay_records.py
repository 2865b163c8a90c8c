"""The relay's records: what counts as the broker refusing a record for good (a hard stop) and
what is worth retrying; a record's measured size; trace context that may not travel as a header
is left out rather than stopping the relay; and how a blocked relay describes itself."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import uuid4

import pytest
from aiokafka import errors
from cloudevent_garbage import valid_event

from hotline.contracts.envelope import EnvelopeError
from hotline.kafka import refused
from hotline.relay import RelayStatus
from hotline.relay_records import record_size, to_record


@pytest.mark.parametrize(("error", "hard_stop"), [
    (errors.MessageSizeTooLargeError(), True),
    (errors.RecordListTooLargeError(), True),
    (errors.TopicAuthorizationFailedError(), True),
    (errors.KafkaConnectionError(), False),  # broker down
    (errors.KafkaTimeoutError(), False),  # accumulator full while it is down
    (errors.RequestTimedOutError(), False),
    (errors.NotLeaderForPartitionError(), False),
    (errors.CorruptRecordException(), False),
    (OSError("connection reset"), False),
])
def test_only_a_final_answer_of_the_broker_is_a_refusal(error, hard_stop):
    assert refused(error) is hard_stop


def stored(trace_context: dict[str, str]) -> SimpleNamespace:
    return SimpleNamespace(originator_id=uuid4(), trace_context=trace_context)


def test_trace_context_that_may_not_travel_as_a_header_is_left_out():
    event = valid_event(3, uuid4())
    key, value, headers = to_record(lambda e, p: event, stored({
        "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "tracestate": "a=b\r\nX-Injected: 1", "ce_id": "spoofed"}), 3)
    names = dict(headers)
    assert names["traceparent"].startswith(b"00-") and "tracestate" not in names
    assert names["ce_id"] == event.id.encode(), "trace context never overrides an attribute"
    assert record_size((key, value, headers)) > len(value) + len(key)


def test_a_record_that_cannot_be_built_raises_for_the_relay_to_block_on():
    event = valid_event(3, uuid4())
    bad = type(event)(**{**vars(event), "subject": "T-1\nx"})
    with pytest.raises(EnvelopeError):
        to_record(lambda e, p: bad, stored({}), 3)
    assert to_record(lambda e, p: None, stored({}), 3) is None  # private events are not published


def test_a_blocked_relay_says_where_and_why():
    status = RelayStatus("intake->hotline.tickets.v1", position=41)
    assert status.describe() == "publishing, at position 41"
    status.blocked = (42, "record of 2000000 bytes is over HOTLINE_KAFKA_MAX_RECORD_BYTES (921600)")
    assert status.describe() == ("blocked at position 42: record of 2000000 bytes is over "
                                 "HOTLINE_KAFKA_MAX_RECORD_BYTES (921600)")


def test_the_key_is_the_aggregate_id_unless_the_event_names_its_own():
    event, at = valid_event(3, uuid4()), stored({})
    assert to_record(lambda e, p: event, at, 3)[0] == str(at.originator_id).encode()
    keyed = type(event)(**{**vars(event), "key": "T-000042"})
    assert to_record(lambda e, p: keyed, at, 3)[0] == b"T-000042"
