"""A brute-force oracle of SLA outcomes, independent of the segment algorithm: step through a
ticket's history minute by minute and watch each clock's used budget.

A threshold is reached at the first minute at which the clock has started, has not stopped,
and has used that share of its budget while running (or more of it: a priority change can make
a share overdue), knowing everything that happened up to that minute. Clocks run in half-open
intervals: at the instant a pause or stop begins, the clock no longer runs. Only the due instant reported for it comes from the policy's marks at that minute.
Used by the property tests of `hotline.sla.outcomes` and the stateful test of sla-timer.

`short_policy()` has budgets of minutes, so histories of a day exercise every rule.
"""

from __future__ import annotations

import datetime as dt

from hotline.sla import SlaPolicy, SlaSettings
from hotline.sla.events import SlaEvent
from hotline.sla.outcomes import BREACH

MINUTE = dt.timedelta(minutes=1)
BUDGETS = {
    "p1_response": "40m 24x7", "p1_resolution": "2h 24x7", "p1_rfo": "1h 24x7",
    "p2_response": "1h support", "p2_resolution": "3h support", "p2_rfo": "2h 24x7",
    "p3_response": "2h support", "p3_resolution": "5h support", "p3_rfo": "2h 24x7",
}


def short_policy(**rules: object) -> SlaPolicy:
    return SlaPolicy.from_settings(SlaSettings(name="short", **BUDGETS, **rules))


def oracle(policy: SlaPolicy, events: list[SlaEvent], now: dt.datetime):
    """({(clock, run, threshold): due_at}, {clock: (run, stopped_at)} of met clocks)."""
    opened = min(e.at for e in events)
    reached: dict[tuple[str, int, float], dt.datetime] = {}
    minute = opened
    while minute <= now:
        state = policy.evaluate([e for e in events if e.at <= minute], now=minute)
        for clock in state.clocks:
            if clock.started_at is None or clock.budget is None or clock.stopped_at is not None:
                continue
            marks = {float(w.threshold): w.at for w in clock.warnings}
            if clock.due_at is not None:
                marks[BREACH] = clock.due_at
            paused = any(p.start <= minute and (p.end is None or minute < p.end)
                         for p in clock.paused)
            for threshold in (*map(float, policy.warnings[clock.clock]), BREACH):
                key = (clock.clock, clock.run, threshold)
                share = clock.budget.amount * threshold / 100
                # Running clocks reach a share as they use it up; a paused one only if it had
                # used it up before the pause (a priority change made it overdue).
                if key not in reached and (clock.used > share or clock.used == share and not paused):
                    reached[key] = marks[threshold]
        minute += MINUTE
    final = policy.evaluate(events, now=now)
    met = {c.clock: (c.run, c.stopped_at) for c in final.clocks
           if c.stopped_at is not None and c.budget is not None
           and (c.clock, c.run, BREACH) not in reached}
    return reached, met
