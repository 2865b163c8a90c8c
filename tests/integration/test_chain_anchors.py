"""Anchors of the hash chain on the real PostgreSQL and broker: the head is published to
`hotline.audit.v1` (and appended to the anchor file) when it moved and at shutdown; events and
chain rewritten alike pass the walk but not the anchor; `hotline audit verify` says so; a
restarted service does not anchor the head it anchored before."""

from __future__ import annotations

import asyncio
import json
import uuid

import psycopg
import pytest
from aiokafka import AIOKafkaProducer
from typer.testing import CliRunner

from harness import headers_dict, kafka_messages
from hotline.audit import verify as verify_mod
from hotline.audit.anchor import ChainAnchor
from hotline.audit.chain import link
from hotline.audit.settings import AuditSettings
from hotline.audit.verify import file_anchors, kafka_anchors
from hotline.cli.main import app as cli
from hotline.contracts import topics
from hotline.published_tail import TailReader
from test_hash_chain_tampering import Note, audited, check, sql

pytestmark = pytest.mark.integration


def rewrite_consistently(url: str, schema: str, notification_id: int) -> None:
    """What an attacker with the database can do: edit an event and recompute the chain."""
    with psycopg.connect(url) as conn:
        conn.execute(f"UPDATE {schema}.audited_events SET state = state || '\\x20'::bytea "
                     f"WHERE notification_id = {notification_id}")
        rows = conn.execute(
            f"SELECT e.notification_id, originator_id, originator_version, topic, state, c.hash "
            f"FROM {schema}.audited_events e JOIN {schema}.audited_chain c USING (notification_id) "
            f"ORDER BY notification_id").fetchall()
        prev = next(h for n, *_, h in rows if n == notification_id - 1)
        for n, oid, version, topic, state, _ in rows:
            if n >= notification_id:
                prev = link(prev, n, oid, version, topic, bytes(state))
                conn.execute(f"UPDATE {schema}.audited_chain SET hash = %s WHERE notification_id = %s",
                             (prev, n))


async def test_the_head_is_anchored_and_a_consistent_rewrite_is_caught(infra, schema, pool, tmp_path):
    url, service = infra.database_url, f"audit-{uuid.uuid4().hex[:8]}"
    app = await asyncio.to_thread(audited, url, schema)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    anchor_file = tmp_path / "anchors.jsonl"
    try:
        anchor = ChainAnchor(service, lambda: pool, lambda: producer, schema, "audited_chain",
                             AuditSettings(anchor_file=str(anchor_file), anchor_seconds=3600))
        published = await anchor.anchor()
        assert published is not None and published.notification_id == 16
        assert await anchor.anchor() is None  # the head did not move

        task = asyncio.create_task(anchor.run())
        await asyncio.sleep(0.2)
        await asyncio.to_thread(app.save, Note("after the first anchor"))
        task.cancel()  # stopping: the head is anchored once more
        await asyncio.gather(task, return_exceptions=True)
    finally:
        await producer.stop()

    from_kafka = (await kafka_anchors(infra.kafka_bootstrap))[service]
    assert [a.notification_id for a in from_kafka] == [16, 17]
    assert file_anchors(anchor_file)[service] == from_kafka
    lines = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    assert set(lines[0]) == {"service", "notification_id", "hash", "anchored_at"}
    assert check(url, schema, anchors=from_kafka).walk.anchors_checked == 2

    rewrite_consistently(url, schema, 7)
    assert check(url, schema).intact  # the chain alone cannot tell
    report = check(url, schema, anchors=from_kafka)
    assert report.walk.broken.kind == "rewritten"
    assert "chain rewritten after anchor at notification_id 16" in report.line()


async def test_a_restarted_service_does_not_anchor_the_same_head_twice(infra, schema, pool):
    """Seen in the fault waves: sla-timer SIGKILLed after anchoring its head, started again with
    nothing new written, anchored the same head again: one `ce_id` twice on hotline.audit.v1."""
    url, service = infra.database_url, f"audit-{uuid.uuid4().hex[:8]}"
    app = await asyncio.to_thread(audited, url, schema)
    producer = AIOKafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    await producer.start()
    tail = TailReader({"bootstrap_servers": infra.kafka_bootstrap})
    try:
        def anchor() -> ChainAnchor:  # a process of the service, started afresh
            return ChainAnchor(service, lambda: pool, lambda: producer, schema, "audited_chain",
                               AuditSettings(anchor_seconds=3600), read_tail=tail)

        assert (await anchor().anchor()).notification_id == 16
        assert await anchor().anchor() is None  # restarted: its head is on the topic already
        await asyncio.to_thread(app.save, Note("after the restart"))
        assert (await anchor().anchor()).notification_id == 17  # a head that moved is anchored
    finally:
        await producer.stop()
    records = [r for r in await kafka_messages(infra.kafka_bootstrap, topics.AUDIT)
               if headers_dict(r).get("ce_source") == f"/hotline/{service}"]
    ids = [headers_dict(r)["ce_id"] for r in records]
    assert ids == [f"{service}:16", f"{service}:17"]


def test_the_cli_names_the_first_bad_event_and_exits_1(infra, schema, monkeypatch, tmp_path):
    url = infra.database_url
    audited(url, schema)
    for name in verify_mod.SERVICES:  # only this test's log, under the name of billing
        monkeypatch.setitem(verify_mod.SERVICES, name, (f"{schema}_none", "none"))
    monkeypatch.setitem(verify_mod.SERVICES, "billing", (schema, "audited"))
    monkeypatch.setenv("HOTLINE_DATABASE_URL", url)
    runner = CliRunner()
    result = runner.invoke(cli, ["audit", "verify", "--anchors-from", "none"])
    assert result.exit_code == 0, result.output
    assert "billing: intact, 16 events chained up to event 16" in result.output
    assert "intake: no event log (never started)" in result.output

    sql(url, f"UPDATE {schema}.audited_events SET state = '\\x00'::bytea WHERE notification_id = 12")
    result = runner.invoke(cli, ["audit", "verify", "--service", "billing", "--anchors-from", "none"])
    assert result.exit_code == 1
    assert result.output.startswith("billing: event 12 (originator ") and "altered" in result.output
    result = runner.invoke(cli, ["audit", "verify", "--service", "billing", "--anchors-from", "none",
                                 "--json"])
    assert json.loads(result.output)[0]["broken"]["notification_id"] == 12

    anchors = tmp_path / "none.jsonl"
    anchors.write_text("")
    assert runner.invoke(cli, ["audit", "verify", "--service", "billing", "--anchors-from", "file",
                               "--anchor-file", str(anchors)]).exit_code == 1


def test_the_cli_says_in_one_line_when_postgresql_is_unreachable(monkeypatch):
    monkeypatch.setenv("HOTLINE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    result = CliRunner().invoke(cli, ["audit", "verify", "--anchors-from", "none"])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "cannot reach PostgreSQL" in result.output
