"""A message on a topic that cannot be parsed goes to `<topic>.dlq` and nothing crashes."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaProducer

from harness import headers_dict, kafka_messages
from smtp_client import email, send, ticket_number

pytestmark = pytest.mark.e2e


async def test_garbage_on_the_tickets_topic_is_dead_lettered_and_service_goes_on(stack):
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait("hotline.tickets.v1", b"{not json", key=b"garbage",
                                     headers=[("ce_type", b"hotline.ticket.opened.v1")])
    finally:
        await producer.stop()
    consumers = {"hotline-notifier", "hotline-sla-timer", "hotline-billing-tickets"}  # every consumer of the topic
    for _ in range(20):
        dead = await kafka_messages(stack.kafka_bootstrap, "hotline.tickets.v1.dlq", min_count=1,
                                    timeout=20)
        garbage = [r for r in dead if r.key == b"garbage"]
        if {headers_dict(r)["hotline_dlq_consumer"] for r in garbage} >= consumers:
            break
        await asyncio.sleep(0.5)
    assert garbage and all(r.value == b"{not json" for r in garbage)
    assert {headers_dict(r)["hotline_dlq_consumer"] for r in garbage} == consumers
    assert all(headers_dict(r)["hotline_dlq_error"] for r in garbage)

    since = stack.mail_count()  # and notifier still confirms new tickets
    code, reply = await asyncio.to_thread(send, stack, email())
    number = ticket_number(reply)
    await stack.wait_for_mail(lambda m: number in m["Subject"], since=since)
    assert stack.running("notifier")
