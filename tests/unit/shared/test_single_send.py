"""Without the idempotent producer, a batch the broker may have stored (the connection dropped
after the request went out, or the broker timed out waiting for replicas) fails instead of being
sent again by aiokafka; one that surely was not stored is still retried. And the aiokafka method
`single_send` replaces is still the one it was written against."""

from __future__ import annotations

import ast
import inspect
import textwrap
from types import SimpleNamespace

from aiokafka.errors import KafkaConnectionError, NodeNotReadyError, NotLeaderForPartitionError, RequestTimedOutError
from aiokafka.producer.sender import Sender

from hotline.kafka import make_producer
from hotline.settings import ServiceSettings
from hotline.single_send import SingleSendHandler, _send_produce_req


class Batch:
    def expired(self) -> bool:
        return False


def handler() -> SingleSendHandler:
    sender = SimpleNamespace(client=None, _retry_backoff=0.1, _txn_manager=None)
    return SingleSendHandler(sender, {})


def test_a_batch_the_broker_may_have_stored_is_not_sent_again() -> None:
    assert not handler()._can_retry(KafkaConnectionError(), Batch())
    assert not handler()._can_retry(RequestTimedOutError(), Batch())


def test_a_batch_the_broker_surely_did_not_store_is_retried() -> None:
    assert handler()._can_retry(NodeNotReadyError(), Batch())
    assert handler()._can_retry(NotLeaderForPartitionError(), Batch())


def body(function) -> list[str]:
    """The function's statements, docstring left out, as `ast.unparse` writes them."""
    [definition] = ast.parse(textwrap.dedent(inspect.getsource(function))).body
    statements = definition.body
    if isinstance(statements[0], ast.Expr) and isinstance(statements[0].value, ast.Constant):
        statements = statements[1:]
    return [ast.unparse(statement) for statement in statements]


def test_the_replaced_method_is_aiokafkas_with_the_handler_swapped() -> None:
    ours = [line.replace("SingleSendHandler", "SendProduceReqHandler") for line in body(_send_produce_req)]
    assert ours == body(Sender._send_produce_req)


async def test_the_relay_producer_sends_once_unless_the_producer_is_idempotent(monkeypatch) -> None:
    monkeypatch.setenv("HOTLINE_KAFKA_IDEMPOTENCE", "false")
    plain = make_producer(ServiceSettings(service_name="intake"))
    assert plain._sender._send_produce_req.__func__ is _send_produce_req
    monkeypatch.setenv("HOTLINE_KAFKA_IDEMPOTENCE", "true")
    idempotent = make_producer(ServiceSettings(service_name="intake"))
    assert "_send_produce_req" not in vars(idempotent._sender)
