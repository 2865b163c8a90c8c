"""`hotline.sla.outcomes` against the minute-stepping oracle, and the rules in hand-checked cases.

The properties run random histories (every lifecycle event, any order the policy accepts,
instants on the minute) through a policy with budgets of minutes, under every combination of
the reopen and fix-counts-as-response settings.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.sla import (
    ClockStatus,
    CustomerResponded,
    FirstResponse,
    PriorityChanged,
    Reopened,
    Resolved,
    RfoDelivered,
    TicketOpened,
    WaitingOnCustomer,
    WorkaroundProvided,
)
from hotline.sla.outcomes import BREACH, outcomes
from sla_oracle import oracle, short_policy

LA = ZoneInfo("America/Los_Angeles")
KINDS = [FirstResponse, WorkaroundProvided, Resolved, Reopened, WaitingOnCustomer,
         CustomerResponded, RfoDelivered, PriorityChanged]
POLICIES = {(reopen, fix): short_policy(reopen=reopen, fix_counts_as_response=fix)
            for reopen in ("resume", "restart") for fix in (True, False)}


def la(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=LA)


@st.composite
def histories(draw):
    # Opened on a Friday afternoon, so support clocks run into closing and over a weekend, or
    # on a Wednesday afternoon (a night, then a business day).
    day = draw(st.sampled_from(["2026-12-04", "2026-12-02"]))
    opened = la(f"{day} 15:00") + dt.timedelta(minutes=draw(st.integers(0, 240)))
    events = [TicketOpened(opened, draw(st.integers(1, 3)))]
    at = opened
    for _ in range(draw(st.integers(0, 8))):
        at += dt.timedelta(minutes=draw(st.integers(0, 150)))
        kind = draw(st.sampled_from(KINDS))
        events.append(kind(at, draw(st.integers(1, 4))) if kind is PriorityChanged else kind(at))
    now = at + dt.timedelta(minutes=draw(st.integers(0, 300)))
    return events, now, draw(st.sampled_from(sorted(POLICIES)))


@settings(max_examples=150, deadline=None)
@given(histories())
def test_outcomes_agree_with_the_minute_by_minute_oracle(case):
    events, now, rules = case
    policy = POLICIES[rules]
    found = outcomes(policy, events, now)
    expected_reached, expected_met = oracle(policy, events, now)
    assert {k: r.due_at for k, r in found.reached.items()} == expected_reached
    assert {c: (m.run, m.stopped_at) for c, m in found.met.items()} == expected_met
    # The policy's own status agrees: a clock is breached exactly when its breach was reached.
    final = policy.evaluate(events, now=now)
    for clock in final.clocks:
        if clock.budget is not None and clock.started_at is not None:
            breached = (clock.clock, clock.run, BREACH) in found.reached
            assert (clock.status is ClockStatus.BREACHED) == breached, clock
    # Every pending timer lies ahead and has not been reached in its run.
    assert all(p.due_at > now and (p.clock, p.run, p.threshold) not in found.reached
               for p in found.pending)


POLICY = POLICIES[("resume", True)]


def test_a_warning_reached_before_a_pause_stays_reached_and_is_not_reached_again():
    opened = la("2026-12-02 09:00")  # P1 response 40 min 24x7: 75 % at 09:30
    events = [TicketOpened(opened, 1), WaitingOnCustomer(la("2026-12-02 09:31")),
              CustomerResponded(la("2026-12-02 09:40"))]
    found = outcomes(POLICY, events, la("2026-12-02 10:45"))
    warnings = {k: r.due_at for k, r in found.reached.items() if k[0] == "resolution"}
    # Resolution (2 h): 75 % at 10:30, moved to 10:39 by the 9 min pause.
    assert warnings == {("resolution", 1, 75.0): la("2026-12-02 10:39")}
    # The response clock never pauses: 75 % at 09:30, reached once.
    assert found.reached[("response", 1, 75.0)].due_at == la("2026-12-02 09:30")


def test_a_response_back_dated_before_the_breach_leaves_no_breach_and_a_met():
    opened = la("2026-12-02 12:00")  # P1: response due 12:40
    events = [TicketOpened(opened, 1), FirstResponse(la("2026-12-02 12:38"))]
    found = outcomes(POLICY, events, la("2026-12-02 12:45"))
    assert ("response", 1, BREACH) not in found.reached
    assert found.met["response"].stopped_at == la("2026-12-02 12:38")


def test_a_stop_at_the_due_instant_is_met_not_breached():
    events = [TicketOpened(la("2026-12-02 12:00"), 1), FirstResponse(la("2026-12-02 12:40"))]
    found = outcomes(POLICY, events, la("2026-12-02 13:00"))
    assert ("response", 1, BREACH) not in found.reached and "response" in found.met


def test_a_fix_before_any_response_stops_the_response_clock():
    events = [TicketOpened(la("2026-12-02 12:00"), 1), WorkaroundProvided(la("2026-12-02 12:10"))]
    found = outcomes(POLICY, events, la("2026-12-02 20:00"))
    assert found.met["response"].stopped_at == la("2026-12-02 12:10")
    assert not [k for k in found.reached if k[0] == "response"]
    unfixed = outcomes(POLICIES[("resume", False)], events, la("2026-12-02 20:00"))
    assert ("response", 1, BREACH) in unfixed.reached


def test_resolving_while_waiting_ends_the_pause_and_a_reopen_resumes_the_clock():
    events = [TicketOpened(la("2026-12-02 12:00"), 1),
              WaitingOnCustomer(la("2026-12-02 12:30")), Resolved(la("2026-12-02 13:00")),
              Reopened(la("2026-12-02 14:00"))]
    found = outcomes(POLICY, events, la("2026-12-02 14:00"))
    state = found.last.resolution
    assert state.status is ClockStatus.RUNNING
    # 2 h budget, 30 min used before waiting, none while waiting or resolved: due 15:30.
    assert state.due_at == la("2026-12-02 15:30")
    assert [p.due_at for p in found.pending if p.clock == "resolution"][-1] == la("2026-12-02 15:30")


def test_a_restarted_clock_runs_a_new_full_budget_as_run_two():
    events = [TicketOpened(la("2026-12-02 12:00"), 1), Resolved(la("2026-12-02 13:45")),
              Reopened(la("2026-12-02 14:00"))]
    found = outcomes(POLICIES[("restart", True)], events, la("2026-12-02 16:30"))
    assert found.reached[("resolution", 1, 75.0)].due_at == la("2026-12-02 13:30")
    assert found.reached[("resolution", 2, 75.0)].due_at == la("2026-12-02 15:30")
    assert found.reached[("resolution", 2, BREACH)].due_at == la("2026-12-02 16:00")


def test_a_priority_raised_past_a_mark_reaches_it_at_the_change_with_its_own_due_instant():
    # P3 response: 2 support hours, due 11:00. At 10:50 it becomes P1 (40 min 24x7, due 09:40).
    events = [TicketOpened(la("2026-12-02 09:00"), 3), PriorityChanged(la("2026-12-02 10:50"), 1)]
    found = outcomes(POLICY, events, la("2026-12-02 10:50"))
    breach = found.reached[("response", 1, BREACH)]
    assert (breach.due_at, breach.reached_at, breach.priority) == (
        la("2026-12-02 09:40"), la("2026-12-02 10:50"), 1)
    # The warnings were reached under P3 first (10:30 and 10:48): those are the ones that stand.
    assert found.reached[("response", 1, 75.0)].due_at == la("2026-12-02 10:30")
    assert found.reached[("response", 1, 90.0)].priority == 3
