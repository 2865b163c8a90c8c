"""sla-timer's published stream against the brute-force oracle, under random lifecycles.

A hypothesis state machine opens a ticket and then, at random, records lifecycle changes the
way intake allows them (never in the future, never before the ticket's last change, back-dated
up to 15 minutes) and moves the clock, firing what is due through the real firing code on
PostgreSQL. The stream sla-timer would publish (its events mapped to the public contracts) must:

- never have two standing events for one (clock, run, threshold), and retract or reopen only
  an event that stands;
- in the end, stand exactly where the minute-by-minute oracle says each threshold was reached
  in the final history (so a breach stands only if the clock ran at its due instant), with a
  met for exactly the clocks that stopped in time: one standing outcome per stopped clock.

The policy has budgets of minutes (`sla_oracle.short_policy`), under both reopen settings.
"""

from __future__ import annotations

import datetime as dt
import itertools
from uuid import uuid4
from zoneinfo import ZoneInfo

import psycopg
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from hotline import contracts, sla
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import ensure_schema, postgres_env
from hotline.sla.outcomes import BREACH
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.publication import to_cloud_event
from sla_oracle import oracle, short_policy

LA = ZoneInfo("America/Los_Angeles")
SOURCE = f"/hotline/stateful-{uuid4().hex[:6]}"
POSITIONS = itertools.count(1)
WAIT = st.integers(0, 60)  # minutes that pass before a change (firing what falls due)
BACK = st.integers(0, 15)  # how far the change is back-dated (intake's limit)

# (contract, SLA event) per lifecycle command
COMMANDS = {
    "first-response": (contracts.FirstResponseGiven, sla.FirstResponse),
    "workaround": (contracts.WorkaroundProvided, sla.WorkaroundProvided),
    "resolve": (contracts.TicketResolved, sla.Resolved),
    "reopen": (contracts.TicketReopened, sla.Reopened),
    "waiting": (contracts.WaitingOnCustomer, sla.WaitingOnCustomer),
    "responded": (contracts.CustomerResponded, sla.CustomerResponded),
    "rfo": (contracts.RfoDelivered, sla.RfoDelivered),
}


class TicketStream(RuleBasedStateMachine):
    apps: dict[str, SlaTimerApplication] = {}
    database_url = ""

    @initialize(priority=st.integers(1, 3), start=st.integers(0, 300),
                day=st.sampled_from(["2026-12-02", "2026-12-04"]), reopen=st.sampled_from(["resume", "restart"]))
    def open_ticket(self, priority, start, day, reopen):
        self.app = self.apps[reopen]
        self.policy = self.app.policy
        self.now = dt.datetime.fromisoformat(f"{day}T14:00").replace(tzinfo=LA) + dt.timedelta(minutes=start)
        self.app.clock.set(self.now)
        self.number = f"T-{uuid4().int % 10**8:08d}"
        self.ticket_id = contracts.ticket_id_for(self.number)
        self.last_change = self.now
        self.priority = priority
        self.status, self.responded, self.worked_around, self.waiting, self.rfo = "open", False, False, False, False
        self.history: list[sla.SlaEvent] = [sla.TicketOpened(self.now, priority)]
        self._take(contracts.TicketOpened(
            ticket_id=self.ticket_id, ticket_number=self.number, customer="Acme Corp", location="x",
            issue="i", description="d", priority=priority, channel="http", contact="noc@acme.example",
            received_at=self.now, off_hours=False))

    # -- the clock moves; due timers fire -----------------------------------------------------
    @rule(minutes=st.integers(1, 90))
    def advance(self, minutes):
        self._advance(minutes)

    def _advance(self, minutes: int) -> None:
        self.now += dt.timedelta(minutes=minutes)
        self.app.clock.set(self.now)
        while self.app.fire_due(50):
            pass

    # -- lifecycle commands, as intake accepts them ---------------------------------------------
    @precondition(lambda self: self.status != "closed" and not self.responded)
    @rule(wait=WAIT, back=BACK)
    def first_response(self, wait, back):
        self._advance(wait)
        self.responded = True
        self._change("first-response", back)

    @precondition(lambda self: self.status == "open" and not self.worked_around)
    @rule(wait=WAIT, back=BACK)
    def workaround(self, wait, back):
        self._advance(wait)
        self.worked_around = True
        self._change("workaround", back)

    @precondition(lambda self: self.status == "open")
    @rule(wait=WAIT, back=BACK)
    def resolve(self, wait, back):
        self._advance(wait)
        self.status, self.waiting = "resolved", False
        self._change("resolve", back)

    @precondition(lambda self: self.status == "resolved")
    @rule(wait=WAIT, back=BACK)
    def reopen(self, wait, back):
        self._advance(wait)
        self.status = "open"
        self._change("reopen", back)

    @precondition(lambda self: self.status == "open" and not self.waiting)
    @rule(wait=WAIT, back=BACK)
    def waiting_on_customer(self, wait, back):
        self._advance(wait)
        self.waiting = True
        self._change("waiting", back)

    @precondition(lambda self: self.waiting)
    @rule(wait=WAIT, back=BACK)
    def customer_responded(self, wait, back):
        self._advance(wait)
        self.waiting = False
        self._change("responded", back)

    @precondition(lambda self: (self.status == "resolved" or self.worked_around) and not self.rfo)
    @rule(wait=WAIT, back=BACK)
    def deliver_rfo(self, wait, back):
        self._advance(wait)
        self.rfo = True
        self._change("rfo", back)

    @precondition(lambda self: self.status != "closed")
    @rule(wait=WAIT, priority=st.integers(1, 4), back=BACK)
    def change_priority(self, wait, priority, back):
        self._advance(wait)
        if priority == self.priority:
            return
        at = self._at(back)
        self._take(contracts.PriorityChanged(ticket_id=self.ticket_id, ticket_number=self.number, at=at,
                                             recorded_at=self.now, from_priority=self.priority,
                                             priority=priority))
        self.history.append(sla.PriorityChanged(at, priority))
        self.priority = priority

    # -- checks ----------------------------------------------------------------------------------
    def teardown(self):
        if not hasattr(self, "app"):
            return
        while self.app.fire_due(50):
            pass
        standing, met = self._replay_stream()
        reached, expected_met = oracle(self.policy, self.history, self.now)
        assert standing == reached, f"stream {standing} != oracle {reached}"
        assert met == expected_met
        final = self.policy.evaluate(self.history, now=self.now)
        for clock in final.clocks:
            if clock.stopped_at is not None and clock.budget is not None:
                outcomes = [clock.clock in met, (clock.clock, clock.run, BREACH) in standing]
                assert outcomes.count(True) == 1, (clock, standing, met)
        with psycopg.connect(self.database_url) as conn:  # the next example starts with no timers
            conn.execute(f"DELETE FROM {self.app.recorder.datastore.schema}.sla_timer_due_timers")

    def _replay_stream(self):
        """Standing {(clock, run, threshold): due_at} and {clock: (run, stopped_at)} of the
        published stream, checking each step."""
        fired: dict[str, tuple] = {}  # ce_id -> key
        standing: dict[tuple, tuple[str, dt.datetime]] = {}
        met: dict[str, tuple[str, int, dt.datetime]] = {}
        for position, event in enumerate(self.app.history(self.ticket_id), start=1):
            published = to_cloud_event(event, position)
            if published is None:
                continue
            body, kind = published.data, published.type.split(".")[2]
            if kind in ("deadline-approaching", "deadline-breached"):
                key = (body.clock, body.run, body.threshold)
                assert key not in standing, f"{key} published twice without a retraction"
                standing[key] = (published.id, body.due_at)
            elif kind == "deadline-met":
                assert body.clock not in met, f"two standing mets of {body.clock}"
                met[body.clock] = (published.id, body.run, body.stopped_at)
            elif kind == "deadline-retracted":
                if body.retracted_type.endswith("deadline-met.v1"):
                    assert met.pop(body.clock)[0] == body.retracted_id
                else:
                    key = (body.clock, body.run, body.threshold)
                    assert standing.pop(key)[0] == body.retracted_id
            elif kind == "deadline-reopened":
                assert met.pop(body.clock)[0] == body.met_id
        return ({k: due for k, (_, due) in standing.items()},
                {c: (run, stopped) for c, (_, run, stopped) in met.items()})

    def _at(self, back: int) -> dt.datetime:
        return max(self.last_change, self.now - dt.timedelta(minutes=back))

    def _change(self, command: str, back: int) -> None:
        contract, sla_event = COMMANDS[command]
        at = self._at(back)
        self.last_change = at
        self._take(contract(ticket_id=self.ticket_id, ticket_number=self.number, at=at, recorded_at=self.now))
        self.history.append(sla_event(at))

    def _take(self, data: contracts.EventBody) -> None:
        if hasattr(data, "at"):
            self.last_change = data.at
        position = next(POSITIONS)
        self.app.take(CloudEvent(id=f"{self.ticket_id}:{position}", source=SOURCE, type=data.ce_type,
                                 time=self.now, subject=self.number, position=position, data=data))


def test_the_published_stream_matches_the_oracle(infra):
    TicketStream.database_url = infra.database_url
    for reopen in ("resume", "restart"):
        schema = f"t_{uuid4().hex[:12]}"
        ensure_schema(infra.database_url, schema)
        TicketStream.apps[reopen] = SlaTimerApplication(
            env=postgres_env(infra.database_url, schema), clock=FixedClock(dt.datetime.now(dt.timezone.utc)),
            policy=short_policy(reopen=reopen))
    run_state_machine_as_test(TicketStream, settings=settings(
        max_examples=100, stateful_step_count=16, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
