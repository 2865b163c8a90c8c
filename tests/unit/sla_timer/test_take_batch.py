"""`take_batch` in memory (POPO): a consumer batch applied in one transaction leaves the same
clocks, standing deadline outcomes and pending timers as its events applied one by one (one by
one may publish and retract on the way: it learns the history late, change by change), and
applies each position once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_sla_timer.application import SlaTimerApplication, UnknownTicket
from hotline_sla_timer.domain import deadlines

UTC = timezone.utc
MONDAY_9 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 09:00 Pacific


class Stream:
    """Contract events of several tickets, with increasing log positions."""

    def __init__(self) -> None:
        self.position = 0

    def event(self, data: contracts.EventBody) -> CloudEvent:
        self.position += 1
        return CloudEvent(id=f"{data.ticket_id}:{self.position}", source="/hotline/intake",
                          type=data.ce_type, time=MONDAY_9, subject=data.ticket_number,
                          position=self.position, data=data)

    def opened(self, ticket_id, number: str, priority: int = 2, at: datetime = MONDAY_9) -> CloudEvent:
        return self.event(contracts.TicketOpened(
            ticket_id=ticket_id, ticket_number=number, customer="Acme Corp", location="x", issue="i",
            description="d", priority=priority, channel="email", contact="noc@acme.example",
            received_at=at, off_hours=False))

    def change(self, contract: type, ticket_id, number: str, at: datetime, **fields) -> CloudEvent:
        return self.event(contract(ticket_id=ticket_id, ticket_number=number, at=at, **fields))


def make_app(clock: FixedClock) -> SlaTimerApplication:
    return SlaTimerApplication(env=popo_env(), clock=clock)


def state(app: SlaTimerApplication, ticket_ids) -> dict:
    out = {}
    for ticket_id in ticket_ids:
        clocks = app.clocks(ticket_id)
        out[ticket_id] = (
            [(c.kind, c.at, c.priority) for c in clocks.changes],
            sorted((key, p.kind, p.due_at) for key, p in clocks.standing.items()),
            sorted((clock, p.run, p.stopped_at) for clock, p in clocks.met.items()),
            [(t.clock, t.threshold, t.clock_version, t.due_at)
             for t in deadlines.pending_timers(clocks, app.policy, app.clock.now())],
        )
    return out


def lifecycle(stream: Stream) -> tuple[list[CloudEvent], list]:
    a, b, c = uuid4(), uuid4(), uuid4()
    events = [
        stream.opened(a, "T-000001", 2),
        stream.opened(b, "T-000002", 3),
        stream.change(contracts.PriorityChanged, a, "T-000001", MONDAY_9 + timedelta(minutes=30),
                      from_priority=2, priority=1),
        stream.opened(c, "T-000003", 1),
        stream.change(contracts.FirstResponseGiven, a, "T-000001", MONDAY_9 + timedelta(hours=5)),
        stream.opened(a, "T-000001", 2),  # the same opening republished: a no-op
        stream.change(contracts.FirstResponseGiven, b, "T-000002", MONDAY_9 + timedelta(hours=1)),
        stream.change(contracts.TicketResolved, b, "T-000002", MONDAY_9 + timedelta(hours=2)),
    ]
    return events, [a, b, c]


def test_a_batch_gives_the_same_clocks_and_timers_as_one_by_one():
    clock = FixedClock(MONDAY_9 + timedelta(hours=6))
    events, ids = lifecycle(Stream())
    one, many = make_app(clock), make_app(clock)
    for event in events:
        one.take(event)
    assert many.take_batch(events) == len(events)
    assert state(many, ids) == state(one, ids)
    # Ticket a became P1 at 09:30 (response due 13:00) and was first responded to at 14:00:
    # the batch fired the breach it owed, as one by one did.
    assert (("response", 1, 100.0), "DeadlineBreached", MONDAY_9 + timedelta(hours=4)) in state(many, ids)[ids[0]][1]


def test_an_opening_and_its_changes_in_one_batch_are_applied_in_order():
    clock = FixedClock(MONDAY_9)
    stream = Stream()
    ticket = uuid4()
    app = make_app(clock)
    batch = [stream.opened(ticket, "T-000010", 3),
             stream.change(contracts.PriorityChanged, ticket, "T-000010", MONDAY_9 + timedelta(minutes=5),
                           from_priority=3, priority=1)]
    assert app.take_batch(batch) == 2
    clocks = app.clocks(ticket)
    assert clocks.priority == 1
    assert [c.kind for c in clocks.changes] == ["opened", "priority-changed"]
    assert {t[2] for t in state(app, [ticket])[ticket][3] if t[0] == "response"} == {2}


def test_positions_applied_before_or_twice_in_the_batch_are_applied_once():
    clock = FixedClock(MONDAY_9 + timedelta(hours=6))
    events, ids = lifecycle(Stream())
    one, many = make_app(clock), make_app(clock)
    for event in events:
        one.take(event)
    assert many.take_batch(events[:4]) == 4
    # Redelivered: the first four again (twice, interleaved), then the rest.
    assert many.take_batch([*events[:4], *events[4:], *reversed(events[:4])]) == len(events) - 4
    assert many.take_batch(events) == 0
    assert state(many, ids) == state(one, ids)
    assert all(many.take(event) is False for event in events)


def test_a_change_for_a_ticket_never_opened_fails_the_batch_and_writes_nothing():
    clock = FixedClock(MONDAY_9)
    stream = Stream()
    known, unknown = uuid4(), uuid4()
    app = make_app(clock)
    batch = [stream.opened(known, "T-000020"),
             stream.change(contracts.FirstResponseGiven, unknown, "T-000021", MONDAY_9)]
    with pytest.raises(UnknownTicket):
        app.take_batch(batch)
    assert app.take_batch(batch[:1]) == 1  # nothing of the failed batch had been recorded


def notification(stream: Stream, kind: str, number: str, at: datetime) -> CloudEvent:
    """A `NotificationSent` from notifier's log (notifier's positions, not intake's)."""
    sent = contracts.NotificationSent(
        notification_id=uuid4(), kind=kind, ticket_number=number, recipient="noc@acme.example",
        subject=kind, message_id=f"<{uuid4()}@x>", attempt=1, sent_at=at)
    stream.position += 1
    return CloudEvent(id=f"n:{stream.position}", source="/hotline/notifier", type=sent.ce_type,
                      time=at, subject=number, position=stream.position, data=sent)


def test_notifications_in_a_batch_stop_the_rfo_clock_when_sent_and_are_taken_once():
    """sla-timer takes hotline.notifications.v1 in batches too: the confirmations (most of a
    surge's notifications) are only tracked, and an RFO sent in the batch stops its clock at
    the time it was sent, as `take` does."""
    clock = FixedClock(MONDAY_9)
    app = make_app(clock)
    stream = Stream()
    ticket_id, number = contracts.ticket_id_for("T-000077"), "T-000077"
    resolved_at, sent_at = MONDAY_9 + timedelta(hours=1), MONDAY_9 + timedelta(hours=2, minutes=5)
    app.take_batch([stream.opened(ticket_id, number, 1),
                    stream.change(contracts.TicketResolved, ticket_id, number, resolved_at),
                    stream.change(contracts.RfoDelivered, ticket_id, number,
                                  MONDAY_9 + timedelta(hours=2), text="A carrier trunk failed.")])
    assert "rfo" in {t.clock for t in deadlines.pending_timers(app.clocks(ticket_id), app.policy, clock.now())}
    notifications = [notification(stream, "confirmation", "T-000099", MONDAY_9),
                     notification(stream, "rfo", number, sent_at)]
    clock.set(sent_at)
    assert app.take_batch(notifications) == 2
    met = [e for e in app.history(ticket_id) if type(e).__name__ == "DeadlineMet" and e.clock == "rfo"]
    assert [m.stopped_at for m in met] == [sent_at]
    assert app.take_batch(notifications) == 0  # redelivered: nothing again
    assert len([e for e in app.history(ticket_id) if type(e).__name__ == "DeadlineMet"
                and e.clock == "rfo"]) == 1
