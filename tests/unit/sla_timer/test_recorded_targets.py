"""`RecordedTargets`: a clock's recorded targets read as `ClockTargets`, built when first read,
the same as building them all at once; and a replayed `TicketClocks` has the targets of the
one that recorded the events."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hotline import contracts
from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline.replay import fold
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.domain import deadlines
from hotline_sla_timer.domain.changes import change_from_contract
from hotline_sla_timer.domain.clocks import targets_dict
from hotline_sla_timer.domain.targets import ClockTargets, RecordedTargets

UTC = timezone.utc
T0 = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)
RESPONSE = ClockTargets(
    2, ((75.0, T0), (90.0, T0 + timedelta(hours=1)), (100.0, T0 + timedelta(hours=2))), True)
RFO = ClockTargets()


def test_reads_as_the_dict_of_clock_targets_it_records() -> None:
    eager = {"response": RESPONSE, "rfo": RFO}
    recorded = RecordedTargets(targets_dict(eager))
    assert recorded == eager and dict(recorded) == eager
    assert list(recorded) == ["response", "rfo"] and len(recorded) == 2
    assert "rfo" in recorded and "resolution" not in recorded
    assert recorded["response"].due_at == T0 + timedelta(hours=2)
    assert recorded.get("resolution", RFO) is RFO and recorded.get("resolution") is None
    assert recorded["response"] is recorded["response"]  # built once
    assert dict(recorded.items()) == eager and list(recorded.values()) == [RESPONSE, RFO]


def test_thresholds_recorded_as_integers_read_as_floats() -> None:
    recorded = RecordedTargets({"response": {"version": 1, "marks": [[100, T0]], "running": True}})
    assert recorded["response"].marks == ((100.0, T0),)
    assert type(recorded["response"].marks[0][0]) is float


def test_replayed_clocks_have_the_targets_of_the_recorded_ones() -> None:
    app = SlaTimerApplication(env=popo_env(), clock=FixedClock(T0))
    number = "T-7000002"
    opened = contracts.TicketOpened(
        ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer="Acme Corp",
        location="100 Main St", issue="outage", description="d", priority=2, channel="http",
        contact="noc@acme.example", received_at=T0, off_hours=False)
    clocks, _ = deadlines.open_clocks(opened, app.policy, T0)
    changes = [change_from_contract(contracts.FirstResponseGiven(
        ticket_id=opened.ticket_id, ticket_number=number, at=T0 + timedelta(minutes=30)), True)]
    deadlines.apply_changes(clocks, changes, app.policy, T0 + timedelta(hours=1))
    stored = [app.mapper.to_stored_event(e) for e in clocks.collect_events()]
    replayed = fold(app.mapper.to_domain_event(s) for s in stored)[clocks.id]
    assert replayed.version == clocks.version
    assert dict(replayed.targets) == dict(clocks.targets)
    assert replayed.targets["response"].running is False and replayed.targets["resolution"].due_at
    assert replayed.changes == clocks.changes
    assert (replayed.met, replayed.standing) == (clocks.met, clocks.standing)
