"""The local infrastructure itself: broker and topics, mail sink, fresh database, supervisor."""

from __future__ import annotations

import asyncio
import smtplib
import sys
import time
from email.message import EmailMessage

import asyncpg
import httpx
import psycopg
import pytest
from harness import headers_dict, kafka_messages
from hotline.devstack import all_topics, ensure_topics, mailsink
from hotline.devstack.ports import free_port
from hotline.devstack.services import http_ready
from hotline.devstack.supervisor import ProcessSpec, Supervisor

pytestmark = pytest.mark.integration


async def test_broker_has_every_topic_with_the_partition_count(infra):
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(all_topics())
    finally:
        await admin.close()
    by_name = {t["topic"]: t for t in described}
    assert set(by_name) == set(all_topics())
    assert "hotline.tickets.v1.dlq" in by_name
    for topic in by_name.values():
        assert topic["error_code"] == 0, topic
        assert len(topic["partitions"]) == infra.partitions


async def test_ensure_topics_is_idempotent_and_messages_can_be_read_back(infra):
    assert await ensure_topics(infra.kafka_bootstrap, infra.partitions) == []
    from aiokafka import AIOKafkaProducer

    topic = f"devstack.test.{time.time_ns()}"
    assert await ensure_topics(infra.kafka_bootstrap, 3, [topic]) == [topic]
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    try:
        for i in range(7):
            await producer.send_and_wait(
                topic,
                f"v{i}".encode(),
                key=f"k{i % 3}".encode(),
                headers=[("ce_id", f"{i}".encode())],
            )
    finally:
        await producer.stop()
    records = await kafka_messages(infra.kafka_bootstrap, topic)
    assert sorted(r.value for r in records) == [f"v{i}".encode() for i in range(7)]
    assert {headers_dict(r)["ce_id"] for r in records} == {str(i) for i in range(7)}
    # per key, order is kept
    for key in (b"k0", b"k1", b"k2"):
        values = [r.value for r in records if r.key == key]
        assert values == sorted(values)


async def test_fresh_database_is_reachable_with_asyncpg_and_psycopg(infra):
    conn = await asyncpg.connect(infra.database_url)
    try:
        name = await conn.fetchval("SELECT current_database()")
        await conn.execute("CREATE TABLE IF NOT EXISTS devstack_probe (id int)")
    finally:
        await conn.close()
    assert name.startswith("hotline_test_")

    def with_psycopg() -> str:
        with psycopg.connect(infra.database_url) as c:
            c.execute("INSERT INTO devstack_probe VALUES (1)")
            return c.execute("SELECT current_database()").fetchone()[0]

    assert await asyncio.to_thread(with_psycopg) == name


async def test_eventsourcing_settings_reach_the_database(infra):
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Probe(Aggregate):
        @event("Created")
        def __init__(self, name: str) -> None:
            self.name = name

    def roundtrip() -> str:
        app = Application(
            env={**infra.env, "POSTGRES_SCHEMA": "devstack_probe", "CREATE_TABLE": "y"}
        )
        try:
            probe = Probe("x")
            app.save(probe)
            return app.repository.get(probe.id).name
        finally:
            app.close()

    def create_schema() -> None:
        with psycopg.connect(infra.database_url, autocommit=True) as c:
            c.execute("CREATE SCHEMA IF NOT EXISTS devstack_probe")

    await asyncio.to_thread(create_schema)
    assert await asyncio.to_thread(roundtrip) == "x"


async def test_mail_sink_saves_each_message_as_eml(tmp_path):
    port = free_port()
    sup = Supervisor(tmp_path / "logs")
    try:
        await sup.start(mailsink.sink_spec(port, tmp_path / "mail"))

        def send(i: int) -> None:
            msg = EmailMessage()
            msg["From"] = "support@hotline.example"
            msg["To"] = "customer@example.com"
            msg["Subject"] = f"Ticket HL-{i}"
            msg.set_content("Hello ünïcode")
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.send_message(msg, to_addrs=["customer@example.com", "bcc@example.com"])

        for i in range(3):
            await asyncio.to_thread(send, i)
        files = mailsink.list_messages(tmp_path / "mail")
        assert len(files) == 3 and all(f.suffix == ".eml" for f in files)
        parsed = [mailsink.parse_message(f) for f in files]
        assert [m["Subject"] for m in parsed] == ["Ticket HL-0", "Ticket HL-1", "Ticket HL-2"]
        assert "bcc@example.com" in parsed[0]["X-Envelope-To"]
        assert parsed[0].get_content().strip() == "Hello ünïcode"
    finally:
        await sup.stop_all()
    assert not sup["mailsink"].running()


async def test_supervisor_sigkills_and_restarts_a_child(tmp_path):
    port = free_port()
    sup = Supervisor(tmp_path / "logs")
    spec = ProcessSpec(
        name="standin",
        argv=[
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(tmp_path),
        ],
        ready=lambda: http_ready(f"http://127.0.0.1:{port}/"),
        ready_timeout=20,
        ports=[(port, "stand-in http", "PORT")],
    )
    try:
        await sup.start(spec)
        first_pid = sup.pid("standin")
        sup.kill("standin")
        assert not sup["standin"].running()
        assert sup["standin"].proc.returncode == -9
        with pytest.raises(httpx.TransportError):
            async with httpx.AsyncClient(trust_env=False) as client:
                await client.get(f"http://127.0.0.1:{port}/", timeout=1)
        await sup.start("standin")
        assert sup.pid("standin") != first_pid
        assert await http_ready(f"http://127.0.0.1:{port}/")
        await sup.restart("standin")
        assert sup["standin"].starts == 3
        assert (tmp_path / "logs" / "standin.log").read_text().count("=== ") == 3
        code = await sup.stop("standin")
        assert code is not None and not sup["standin"].running()
    finally:
        await sup.stop_all()
