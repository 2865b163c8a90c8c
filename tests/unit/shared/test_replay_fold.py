"""`fold` pauses the cyclic garbage collector while it runs, freezes what it built (never walked
again), and leaves the collector on or off as it found it."""

from __future__ import annotations

import gc
from typing import Any

import pytest

from hotline.replay import collector_paused, fold


class Event:
    def __init__(self, originator_id: int, fail: bool = False) -> None:
        self.originator_id, self.fail = originator_id, fail

    def mutate(self, aggregate: Any) -> Any:
        assert not gc.isenabled()
        if self.fail:
            raise ValueError("bad event")
        return (aggregate or 0) + 1


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()
    gc.unfreeze()


def test_folds_with_the_collector_paused_and_resumes_it(collector: None) -> None:
    gc.enable()
    gc.unfreeze()
    assert fold([Event(1), Event(2), Event(1)]) == {1: 2, 2: 1}
    assert gc.isenabled() and gc.get_freeze_count() > 0  # what was built is frozen


def test_resumes_the_collector_when_an_event_fails(collector: None) -> None:
    gc.enable()
    with pytest.raises(ValueError):
        fold([Event(1), Event(1, fail=True)])
    assert gc.isenabled()


def test_leaves_a_paused_collector_paused(collector: None) -> None:
    gc.disable()
    with collector_paused():
        pass
    assert fold([Event(1)]) == {1: 1}
    assert not gc.isenabled()
