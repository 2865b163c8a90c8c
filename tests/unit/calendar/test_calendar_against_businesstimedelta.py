"""Zero disagreements with `businesstimedelta` over 100,000 random starts and budgets, 2020–2040.

A quarter of the cases start on whole hours with whole-hour budgets so that deadlines land on
08:00 and 18:00; the rest use microsecond starts and budgets up to 15 support days (P3).
"""

from __future__ import annotations

import datetime as dt
import random

from calendar_oracles import UTC, BusinessTimeDeltaOracle
from hotline.calendar import SupportCalendar

CASES = 100_000
BASE = dt.datetime(2020, 1, 1, tzinfo=UTC)
SPAN_HOURS = 21 * 365 * 24  # to the end of 2040


def random_cases(seed: int, count: int) -> list[tuple[dt.datetime, dt.timedelta]]:
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        if i % 4 == 0:
            start = BASE + dt.timedelta(hours=rng.randrange(SPAN_HOURS))
            budget = dt.timedelta(hours=rng.randrange(1, 151))
        else:
            start = BASE + dt.timedelta(microseconds=rng.randrange(SPAN_HOURS * 3_600_000_000))
            budget = dt.timedelta(microseconds=rng.randrange(1, 150 * 3_600_000_000))
        cases.append((start, budget))
    return cases


def test_zero_disagreements_with_businesstimedelta() -> None:
    calendar, oracle = SupportCalendar(), BusinessTimeDeltaOracle()
    disagreements = []
    for start, budget in random_cases(20260301, CASES):
        ours = calendar.add(start, budget)
        if ours != oracle.add(start, budget) or calendar.elapsed(start, ours) != budget:
            disagreements.append((start, budget, ours, oracle.add(start, budget)))
    assert disagreements[:5] == []
