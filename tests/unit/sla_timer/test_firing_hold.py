"""The firing loop waits for the ticket consumer: due timers are held while it is behind (or
its lag is unknown), for at most the bound, and fire at once when it catches up."""

from __future__ import annotations

import asyncio

import pytest

from hotline.lag import ConsumerLag
from hotline_sla_timer.entrypoints import firing as firing_module
from hotline_sla_timer.entrypoints.firing import FiringLoop


class Due:
    """Stands in for the application: whether a timer is due."""

    def __init__(self, due: bool) -> None:
        self.due = due

    def anything_due(self) -> bool:
        return self.due


@pytest.fixture
def monotonic(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(firing_module.time, "monotonic", lambda: now[0])
    return now


def loop(app, lag: ConsumerLag, hold: float = 30.0) -> FiringLoop:
    return FiringLoop(app, "postgresql://unused", batch_size=10, tick_seconds=0.1, lag=lag, hold_seconds=hold)


def run(coro):
    return asyncio.run(coro)


def test_nothing_is_held_when_the_consumer_is_caught_up(monotonic):
    lag = ConsumerLag("x", "t", "g")
    lag._update(0)
    firing = loop(Due(True), lag)
    assert run(firing._may_fire()) and firing.held_since is None


def test_due_timers_wait_while_the_consumer_is_behind_then_fire_after_the_bound(monotonic):
    lag = ConsumerLag("x", "t", "g")
    lag._update(5)
    firing = loop(Due(True), lag)
    assert not run(firing._may_fire()) and firing.held_since == 1000.0
    monotonic[0] += 29.9
    assert not run(firing._may_fire())
    monotonic[0] += 0.1
    assert run(firing._may_fire())  # the bound: fire, a late stop will be retracted
    assert run(firing._may_fire())  # and go on firing while it stays behind
    lag._update(0)
    assert run(firing._may_fire()) and firing.held_since is None
    lag._update(3)  # behind again: a new hold
    assert not run(firing._may_fire())


def test_an_unknown_lag_holds_too_as_at_start_up(monotonic):
    firing = loop(Due(True), ConsumerLag("x", "t", "g"))
    assert not run(firing._may_fire())


def test_no_hold_starts_while_nothing_is_due(monotonic):
    lag = ConsumerLag("x", "t", "g")
    lag._update(5)
    app = Due(False)
    firing = loop(app, lag)
    assert not run(firing._may_fire()) and firing.held_since is None
    app.due = True
    monotonic[0] += 100
    assert not run(firing._may_fire()) and firing.held_since == 1100.0


def test_catching_up_wakes_the_listeners():
    lag = ConsumerLag("x", "t", "g")
    woken = []
    lag.on_caught_up(lambda: woken.append(True))
    lag._update(4)
    lag._update(0)
    lag._update(0)
    assert woken == [True]
