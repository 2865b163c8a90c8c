"""Deadline computations per second: the support-calendar kernel vs pandas `CustomBusinessHour`
and `businesstimedelta`, on the same random starts (2020–2040) and whole-hour SLA budgets.

The baselines run on fewer inputs (they are slow); every rate is calls per second on one core,
best of a few repeats. Goals (issue 3): ≥ 50× pandas and ≥ 200,000 `add` calls per second.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import businesstimedelta
import pandas as pd

from hotline.calendar import SupportCalendar

LA = ZoneInfo("America/Los_Angeles")
UTC = dt.timezone.utc
BUDGETS_HOURS = (4, 8, 24, 50, 150)  # the contract's support-hour budgets and a P1 4 h


def inputs(count: int, seed: int = 3) -> list[tuple[dt.datetime, int]]:
    rng = random.Random(seed)
    base = dt.datetime(2020, 1, 1, tzinfo=UTC)
    return [
        (base + dt.timedelta(seconds=rng.randrange(21 * 365 * 86400)), rng.choice(BUDGETS_HOURS))
        for _ in range(count)
    ]


def rate(function: Callable[[], object], calls: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - began)
    return calls / best


def main() -> None:
    calendar = SupportCalendar()
    holidays = [h.date for y in range(2019, 2043) for h in calendar.holidays(y)]
    cases = inputs(200_000)
    kernel_cases = [(start, dt.timedelta(hours=h)) for start, h in cases]
    add, elapsed = calendar.add, calendar.elapsed
    for start, budget in kernel_cases[:1000]:
        add(start, budget)  # warm the lazily built years
    kernel_add = rate(lambda: [add(s, b) for s, b in kernel_cases], len(kernel_cases))
    dues = [add(s, b) for s, b in kernel_cases]
    kernel_elapsed = rate(
        lambda: [elapsed(s, d) for (s, _), d in zip(kernel_cases, dues)], len(dues)
    )

    small = cases[:2_000]
    offsets = {h: pd.offsets.CustomBusinessHour(n=h, start="08:00", end="18:00", holidays=holidays)
               for h in BUDGETS_HOURS}
    local = [(pd.Timestamp(s.astimezone(LA).replace(tzinfo=None)), h) for s, h in small]
    for t, h in local[:200]:
        t + offsets[h]  # warm pandas too (its lazily built calendars), as the kernel is warmed
    pandas_add = rate(lambda: [t + offsets[h] for t, h in local], len(local))

    rule = businesstimedelta.Rules([
        businesstimedelta.WorkDayRule(start_time=dt.time(8), end_time=dt.time(18),
                                      working_days=[0, 1, 2, 3, 4]),
        businesstimedelta.HolidayRule(holidays),
    ])
    deltas = {h: businesstimedelta.BusinessTimeDelta(rule, hours=h) for h in BUDGETS_HOURS}
    few = [(s.astimezone(LA).replace(tzinfo=UTC), h) for s, h in cases[:300]]  # wall time
    btd_add = rate(lambda: [s + deltas[h] for s, h in few], len(few), repeats=1)

    print(f"inputs: random starts 2020-2040, budgets {BUDGETS_HOURS} support hours")
    print(f"kernel SupportCalendar.add      {kernel_add:>12,.0f} /s  ({len(kernel_cases):,} calls)")
    print(f"kernel SupportCalendar.elapsed  {kernel_elapsed:>12,.0f} /s")
    print(f"pandas CustomBusinessHour       {pandas_add:>12,.0f} /s  ({len(local):,} calls)")
    print(f"businesstimedelta               {btd_add:>12,.0f} /s  ({len(few):,} calls)")
    print(f"ratio kernel / pandas           {kernel_add / pandas_add:>12,.0f} x  (goal >= 50)")
    print(f"ratio kernel / businesstimedelta{kernel_add / btd_add:>12,.0f} x")
    print(f"goal >= 200,000 add/s: {'met' if kernel_add >= 200_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
