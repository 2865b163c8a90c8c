"""A producer that never sends a record batch again by itself when the broker may have stored
it: without the idempotent producer, that is how the same `ce_id` lands on a topic twice.

aiokafka's sender re-enqueues a batch after any retriable error until the batch expires. When
the connection drops after the produce request went out (`KafkaConnectionError`), or the broker
answers that it timed out waiting for replicas (`RequestTimedOutError`), the batch may well be
stored already, and sending it again stores it twice: Kafka's idempotent producer exists to
de-duplicate exactly that, by sequence number. Where it is off (a broker that refuses it, such
as the local tansu), `single_send(producer)` makes such a batch fail instead, at once; the relay
then reads the topic back (`hotline.published_tail`) and sends only what is missing. Errors that
prove nothing was stored (no connection yet, not the leader) are retried by aiokafka as ever.

It replaces one method of aiokafka's sender (`Sender._send_produce_req`, as written in aiokafka
0.14, pinned in requirements.txt) with the same steps and a handler that differs only in
`_can_retry`; `tests/unit/shared/test_single_send.py` fails if aiokafka changes under it.
"""

from __future__ import annotations

import types
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, RequestTimedOutError
from aiokafka.producer.sender import Sender, SendProduceReqHandler

MAYBE_STORED = (KafkaConnectionError, RequestTimedOutError)


class SingleSendHandler(SendProduceReqHandler):
    def _can_retry(self, error: Any, batch: Any) -> bool:
        if isinstance(error, MAYBE_STORED):
            return False
        return super()._can_retry(error, batch)


async def _send_produce_req(self: Sender, node_id: int, batches: dict) -> None:
    handler = SingleSendHandler(self, batches)
    await handler.do(node_id)
    self._in_flight.remove(node_id)
    for tp in batches:
        self._muted_partitions.remove(tp)


def single_send(producer: AIOKafkaProducer) -> AIOKafkaProducer:
    """`producer`, failing a batch the broker may have stored instead of sending it again."""
    sender = producer._sender
    sender._send_produce_req = types.MethodType(_send_produce_req, sender)
    return producer
