"""Our murmur2 partitioner agrees with aiokafka's (and so with the Java client's)."""

from __future__ import annotations

import uuid

from aiokafka.partitioner import DefaultPartitioner
from aiokafka.partitioner import murmur2 as reference
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.partitioning import murmur2, partition_for


@settings(max_examples=2000)
@given(st.binary(max_size=80))
def test_murmur2_equals_aiokafkas_for_any_bytes(data: bytes):
    assert murmur2(data) == reference(data)


@given(st.uuids(), st.integers(min_value=1, max_value=64))
def test_a_ticket_key_goes_where_aiokafka_would_send_it(ticket: uuid.UUID, partitions: int):
    key = str(ticket).encode()
    every = list(range(partitions))
    assert partition_for(key, partitions) == DefaultPartitioner()(key, every, every)


def test_known_values_from_the_java_client():
    # org.apache.kafka.common.utils.UtilsTest#testMurmur2
    cases = {b"21": -973932308, b"foobar": -790332482, b"a-little-bit-long-string": -985981536,
             b"a-little-bit-longer-string": -1486304829,
             b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971, b"abc": 479470107}
    for data, signed in cases.items():
        assert murmur2(data) == signed & 0xFFFFFFFF
