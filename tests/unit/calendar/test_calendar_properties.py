"""Property tests of the support calendar against a brute-force minute-stepping oracle."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from calendar_oracles import UTC, minute_add, minute_elapsed, oracle_is_open
from hotline.calendar import SupportCalendar

CAL = SupportCalendar()
BASE = dt.datetime(2020, 1, 1, tzinfo=UTC)
MINUTES_2020_2040 = 21 * 366 * 24 * 60

minute_instants = st.integers(0, MINUTES_2020_2040).map(lambda m: BASE + dt.timedelta(minutes=m))
micro_instants = st.integers(0, MINUTES_2020_2040 * 60_000_000).map(
    lambda us: BASE + dt.timedelta(microseconds=us)
)
support_minutes = st.integers(0, 3 * 600)  # up to 3 support days: the oracle is slow
durations = st.integers(0, 200 * 3600 * 10**6).map(lambda us: dt.timedelta(microseconds=us))


@settings(max_examples=60, deadline=None)
@given(minute_instants, support_minutes)
def test_add_matches_minute_stepping(start: dt.datetime, minutes: int) -> None:
    assert CAL.add(start, dt.timedelta(minutes=minutes)) == minute_add(start, minutes)


@settings(max_examples=60, deadline=None)
@given(minute_instants, st.integers(0, 5 * 24 * 60))
def test_elapsed_matches_minute_stepping(start: dt.datetime, span: int) -> None:
    end = start + dt.timedelta(minutes=span)
    assert CAL.elapsed(start, end) == dt.timedelta(minutes=minute_elapsed(start, end))


@settings(max_examples=300, deadline=None)
@given(minute_instants)
def test_is_open_matches_oracle(t: dt.datetime) -> None:
    assert CAL.is_open(t) is oracle_is_open(t)
    opening = CAL.next_open(t)
    assert opening >= t and oracle_is_open(opening)
    assert opening == t or not oracle_is_open(opening - dt.timedelta(minutes=1))


@settings(max_examples=400, deadline=None)
@given(micro_instants, durations)
def test_elapsed_inverts_add(start: dt.datetime, duration: dt.timedelta) -> None:
    due = CAL.add(start, duration)
    assert CAL.elapsed(start, due) == duration
    if duration:
        assert CAL.is_open(due - dt.timedelta(microseconds=1))  # earliest: support time just ended


@settings(max_examples=400, deadline=None)
@given(micro_instants, durations, durations)
def test_add_is_monotonic_and_additive(start: dt.datetime, a: dt.timedelta, b: dt.timedelta) -> None:
    small, large = sorted((a, b))
    assert CAL.add(start, small) <= CAL.add(start, large)
    if a and b:
        assert CAL.add(CAL.add(start, a), b) == CAL.add(start, a + b)


@settings(max_examples=400, deadline=None)
@given(micro_instants, micro_instants, micro_instants)
def test_elapsed_is_additive_and_antisymmetric(x: dt.datetime, y: dt.datetime, z: dt.datetime) -> None:
    assert CAL.elapsed(x, y) + CAL.elapsed(y, z) == CAL.elapsed(x, z)
    assert CAL.elapsed(x, y) == -CAL.elapsed(y, x)


@settings(max_examples=200, deadline=None)
@given(micro_instants, micro_instants)
def test_elapsed_is_monotonic_in_end(start: dt.datetime, end: dt.datetime) -> None:
    low, high = sorted((start, end))
    assert dt.timedelta(0) <= CAL.elapsed(low, high) <= high - low
