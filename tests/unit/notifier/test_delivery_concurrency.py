"""Delivery never stalls: a slow or failing recipient holds one slot for one attempt and never
delays the others; at most `concurrency` deliveries are in flight; a failing notification is
retried on its schedule and given up after the last attempt; a permanent refusal gives up at
once; while the relay is down no attempt is counted and webhooks still go out."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta

from notifier_fakes import ScriptedChannel, dispatcher_for, history, owe, serving, until

from hotline_notifier.delivery.relay_watch import RelayWatch
from hotline_notifier.domain.delivery import Delivered, RelayDown, RetrySchedule, Undelivered

SLOW = "slow@globex.example"
FAILING = "greylisted@globex.example"


async def test_a_slow_recipient_does_not_delay_the_others():
    channel = ScriptedChannel()
    channel.delays[SLOW] = 1.0
    dispatcher = dispatcher_for(channel, concurrency=4)
    owe(dispatcher.app, "T-000001", SLOW)
    others = [owe(dispatcher.app, f"T-{i:06d}") for i in range(2, 22)]
    started = time.monotonic()
    async with serving(dispatcher) as task:
        await until(lambda: len(channel.delivered) == len(others), task=task)
        others_done = time.monotonic() - started
        await until(lambda: len(channel.delivered) == len(others) + 1, task=task)
    assert others_done < 0.8, f"the others waited for the slow one: {others_done:.2f}s"
    assert channel.delivered[-1][0] == SLOW
    assert channel.most_in_flight <= 4


async def test_concurrency_is_bounded_and_used():
    channel = ScriptedChannel()
    for i in range(30):
        channel.delays[f"r{i}@acme.example"] = 0.05
    dispatcher = dispatcher_for(channel, concurrency=5)
    for i in range(30):
        owe(dispatcher.app, f"T-{i:06d}", f"r{i}@acme.example")
    async with serving(dispatcher) as task:
        await until(lambda: len(channel.delivered) == 30, task=task)
    assert channel.most_in_flight == 5


async def test_a_failing_recipient_is_retried_on_its_schedule_while_the_others_are_sent_once():
    channel = ScriptedChannel()
    channel.answer(FAILING, Undelivered("RCPT 450 4.2.0 Greylisted"))
    # retries 0.3 s apart: time enough for the others' first attempts on a busy machine
    dispatcher = dispatcher_for(channel, schedule=RetrySchedule(max_attempts=3, base=timedelta(
        seconds=0.3), jitter=0.0))
    failing = owe(dispatcher.app, "T-000001", FAILING)
    others = [owe(dispatcher.app, f"T-{i:06d}") for i in range(2, 12)]
    async with serving(dispatcher) as task:
        await until(lambda: len(channel.delivered) == len(others), task=task)
        assert channel.calls[FAILING] == 1, "its retry is scheduled, not awaited"
        await until(lambda: not dispatcher.app.repository.get(failing.id).pending, task=task)
        await until(lambda: dispatcher.sent == len(others), task=task)  # recorded too
    assert [h for h in history(dispatcher.app, failing)] == [("Requested", None)] + [
        ("Failed", "RCPT 450 4.2.0 Greylisted")] * 3
    events = list(dispatcher.app.repository.event_store.get(failing.id))[1:]
    assert [e.will_retry for e in events] == [True, True, False]
    assert events[0].next_attempt_at < events[1].next_attempt_at and events[2].next_attempt_at is None
    assert all(history(dispatcher.app, n) == [("Requested", None), ("Sent", "250 OK")] for n in others)
    assert dispatcher.app.repository.get(failing.id).given_up
    assert dispatcher.attempts == {("email", "sent"): 10, ("email", "retrying"): 2,
                                   ("email", "given-up"): 1}


async def test_a_transient_failure_then_success_is_sent_once():
    channel = ScriptedChannel()
    channel.answer(FAILING, Undelivered("DATA 451 try later"), Delivered("250 queued"))
    dispatcher = dispatcher_for(channel)
    notification = owe(dispatcher.app, "T-000001", FAILING)
    async with serving(dispatcher) as task:
        await until(lambda: channel.delivered, task=task)
        await asyncio.sleep(0.2)
    assert history(dispatcher.app, notification) == [
        ("Requested", None), ("Failed", "DATA 451 try later"), ("Sent", "250 queued")]
    assert channel.calls[FAILING] == 2


async def test_a_permanent_refusal_gives_up_at_once():
    channel = ScriptedChannel()
    channel.answer(FAILING, Undelivered("RCPT 550 5.1.1 No such user", permanent=True))
    dispatcher = dispatcher_for(channel)
    notification = owe(dispatcher.app, "T-000001", FAILING)
    async with serving(dispatcher) as task:
        await until(lambda: dispatcher.app.repository.get(notification.id).given_up, task=task)
        await asyncio.sleep(0.2)
    [_, failed] = list(dispatcher.app.repository.event_store.get(notification.id))
    assert failed.permanent and not failed.will_retry and channel.calls[FAILING] == 1


async def test_while_the_relay_is_down_nothing_counts_and_webhooks_still_go(caplog):
    relay_up = asyncio.Event()

    def relay() -> Delivered | RelayDown:
        return Delivered("250 OK") if relay_up.is_set() else RelayDown("SMTPConnectError: refused")

    async def probe() -> None:
        if isinstance(answer := relay(), RelayDown):
            raise answer

    channel = ScriptedChannel()
    channel.answer("noc@acme.example", relay)
    dispatcher = dispatcher_for(channel, relay=RelayWatch(probe, probe_seconds=0.02))
    emails = [owe(dispatcher.app, f"T-{i:06d}") for i in range(1, 4)]
    page = owe(dispatcher.app, "T-000009", "https://oncall.example/hook", channel="webhook",
               kind="page", payload={"id": "x"})
    caplog.set_level(logging.INFO, logger="hotline_notifier.delivery.relay_watch")
    async with serving(dispatcher) as task:
        await until(lambda: dispatcher.relay.down, task=task)
        await until(lambda: [r for r, _ in channel.delivered] == ["https://oncall.example/hook"],
                    task=task)
        await asyncio.sleep(0.2)
        assert all(n.attempts == 0 for n in map(dispatcher.app.repository.get, (e.id for e in emails)))
        relay_up.set()
        await until(lambda: dispatcher.sent == 4, task=task)  # delivered and recorded
    assert not dispatcher.relay.down
    assert all(history(dispatcher.app, n) == [("Requested", None), ("Sent", "250 OK")] for n in emails)
    assert history(dispatcher.app, page)[-1] == ("Sent", "250 OK")
    lines = [r.getMessage() for r in caplog.records]
    assert sum("SMTP relay down" in line for line in lines) == 1
    assert sum("SMTP relay back" in line for line in lines) == 1


async def test_a_notification_saved_while_serving_is_delivered():
    channel = ScriptedChannel()
    dispatcher = dispatcher_for(channel)
    async with serving(dispatcher) as task:
        await asyncio.sleep(0.05)
        owe(dispatcher.app, "T-000001")
        await until(lambda: channel.delivered, task=task)


async def test_attempts_finishing_together_are_recorded_in_fewer_transactions_each_once():
    channel = ScriptedChannel()
    dispatcher = dispatcher_for(channel, concurrency=8)
    owed = [owe(dispatcher.app, f"T-{i:06d}", recipient=f"noc{i}@acme.example") for i in range(40)]
    async with serving(dispatcher) as task:
        await until(lambda: dispatcher.sent == len(owed), task=task)
    assert all(history(dispatcher.app, n) == [("Requested", None), ("Sent", "250 OK")] for n in owed)
    assert dispatcher.outcomes.batches < len(owed)


async def test_one_outcome_that_cannot_be_recorded_does_not_take_its_batch_with_it(monkeypatch):
    channel = ScriptedChannel()
    dispatcher = dispatcher_for(channel, concurrency=8)
    app = dispatcher.app
    owed = [owe(app, f"T-{i:06d}", recipient=f"noc{i}@acme.example") for i in range(16)]
    poison = owed[3].id
    record_outcomes = app.record_outcomes

    def refuses_the_poison(recorded):
        if any(n.id == poison for n, *_ in recorded) and not getattr(refuses_the_poison, "done", 0):
            if len(recorded) == 1:
                refuses_the_poison.done = 1
            raise ValueError("cannot record this one")
        return record_outcomes(recorded)

    monkeypatch.setattr(app, "record_outcomes", refuses_the_poison)
    async with serving(dispatcher) as task:
        await until(lambda: not any(app.repository.get(n.id).pending for n in owed), task=task)
    sent = [n for n in owed if history(app, n)[-1][0] == "Sent"]
    assert len(sent) == len(owed) - 1
    assert history(app, owed[3])[-1] == ("Failed", "ValueError: cannot record this one")


class SwallowsCancellation(ScriptedChannel):
    """A send that finishes although its task was cancelled: Python 3.11's `asyncio.wait_for`
    (inside aiosmtplib) can lose a cancellation that arrives as the reply does."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = asyncio.Event()

    async def deliver(self, notification):
        self.sending.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            pass  # the message went out all the same
        self.delivered.append((notification.recipient, time.monotonic()))
        return Delivered("250 OK queued")


async def test_a_send_that_swallows_its_cancellation_is_recorded_and_does_not_hang_the_stop():
    # Seen with PostgreSQL restarted under the surge: the dispatcher stopped (lock lost), one
    # attempt's send swallowed the cancel and then waited forever for an outcome writer that
    # was gone, so the dispatcher never restarted and every later email waited.
    channel = SwallowsCancellation()
    dispatcher = dispatcher_for(channel)
    notification = owe(dispatcher.app, "T-000001")
    task = asyncio.create_task(dispatcher.serve())
    await asyncio.wait_for(channel.sending.wait(), 5)
    task.cancel()
    await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 5)
    assert [name for name, _ in history(dispatcher.app, notification)][-1] == "Sent"
