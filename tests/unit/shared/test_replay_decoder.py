"""`replay`'s `event_decoder` makes exactly the events the library's `Mapper.to_domain_event`
makes (class, state, key order), and leaves to the library what it does not shortcut: an event
class with a class version (upcasting)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from uuid import uuid4

from eventsourcing.application import Application
import pytest
from eventsourcing.domain import Aggregate, OriginatorIDError, OriginatorVersionError, event

from hotline.eventstore import popo_env
from hotline.replay import event_decoder, event_mutator, fold, replay


class Clock(Aggregate):
    def __init__(self, ticket: str, due_at: datetime) -> None:
        self.ticket, self.due_at, self.fired = ticket, due_at, []

    @event("Fired")
    def fire(self, threshold: Decimal, at: datetime, facts: dict) -> None:
        self.fired.append((threshold, at, facts))

    class Moved(Aggregate.Event):
        class_version = 2
        due_at: datetime
        why: str

        @staticmethod
        def upcast_v1_v2(state: dict) -> None:
            state["why"] = "recorded before reasons"

        def apply(self, aggregate: "Clock") -> None:
            aggregate.due_at = self.due_at

    def move(self, due_at: datetime) -> None:
        self.trigger_event(self.Moved, due_at=due_at, why="paused")


def test_decodes_what_the_library_decodes_and_folds_alike() -> None:
    app = Application(env=popo_env())
    at = datetime(2026, 12, 16, 18, 0, tzinfo=timezone.utc)
    for i in range(5):
        clock = Clock(f"T-{i:06d}", at)
        clock.fire(Decimal("0.75"), at + timedelta(minutes=i), {"run": i, "ids": [uuid4()]})
        clock.move(at + timedelta(hours=i))
        app.save(clock)
    stored = app.recorder.select_notifications(1, 100)
    decode = event_decoder(app.mapper)
    for notification in stored:
        ours, theirs = decode(notification), app.mapper.to_domain_event(notification)
        assert type(ours) is type(theirs)
        assert list(ours.__dict__.items()) == list(theirs.__dict__.items())
    rebuilt = fold(replay(app))
    assert {k: vars(v) for k, v in rebuilt.items()} == {
        k: vars(app.repository.get(k)) for k in rebuilt}



def test_fold_refuses_what_the_library_refuses() -> None:
    """An event of a decorated method that is not the next of its aggregate (a gap, another
    aggregate's) meets the library's own error, as `repository.get` would."""
    app = Application(env=popo_env())
    at = datetime(2026, 12, 16, 18, 0, tzinfo=timezone.utc)
    first, second = Clock("T-000001", at), Clock("T-000002", at)
    for clock in (first, second):
        clock.fire(Decimal("0.75"), at, {})
        clock.fire(Decimal("0.9"), at, {})
        app.save(clock)
    events = list(replay(app))
    created, fired, again = [e for e in events if e.originator_id == first.id]
    with pytest.raises(OriginatorVersionError):
        fold([created, again])  # version 3 after version 1
    others_fired = [e for e in events if e.originator_id == second.id][1]  # version 2
    aggregate = fold([created])[first.id]
    with pytest.raises(OriginatorIDError):
        event_mutator(type(fired))(others_fired, aggregate)
