"""TicketClocks given / when / then: which deadline events a ticket's clocks owe, once each.

In memory (POPO) with a fixed clock; the due index is PostgreSQL-only, so pending timers are
read from what `take` would write (`deadlines.pending_timers`)."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_sla_timer.application import SlaTimerApplication, UnknownTicket
from hotline_sla_timer.domain import deadlines
from hotline_sla_timer.publication import to_cloud_event

PACIFIC = ZoneInfo("America/Los_Angeles")
UTC = timezone.utc


def pacific(*args: int) -> datetime:
    return datetime(*args, tzinfo=PACIFIC).astimezone(UTC)


class Ticket:
    """Publishes contract events for one ticket, with increasing log positions."""

    position = 0

    def __init__(self, app: SlaTimerApplication, number: str = "T-000042") -> None:
        self.app, self.number, self.id = app, number, contracts.ticket_id_for(number)

    def send(self, data: contracts.EventBody) -> bool:
        Ticket.position += 1
        event = CloudEvent(id=f"{self.id}:{Ticket.position}", source="/hotline/intake",
                           type=data.ce_type, time=datetime.now(UTC), subject=self.number,
                           position=Ticket.position, data=data)
        return self.app.take(event)

    def open(self, priority: int, at: datetime) -> bool:
        return self.send(contracts.TicketOpened(
            ticket_id=self.id, ticket_number=self.number, customer="Acme Corp", location="x",
            issue="i", description="d", priority=priority, channel="email",
            contact="noc@acme.example", received_at=at, off_hours=False))

    def change(self, contract: type, at: datetime, **fields) -> bool:
        return self.send(contract(ticket_id=self.id, ticket_number=self.number, at=at, **fields))

    def pending(self) -> list[tuple[str, float, int, datetime]]:
        clocks = self.app.clocks(self.id)
        return [(t.clock, t.threshold, t.clock_version, t.due_at)
                for t in deadlines.pending_timers(clocks, self.app.policy, self.app.clock.now())]

    def fired(self) -> list[tuple[str, str, float, int]]:
        """Every deadline event published, in order: (kind, clock, threshold, clock version)."""
        return [(type(e).__name__, e.clock, getattr(e, "threshold", 100.0), getattr(e, "clock_version", 0))
                for e in self.app.history(self.id) if type(e).__name__.startswith("Deadline")]

    def fire_due(self) -> None:
        """What the firing loop would fire now, fired through the aggregate (POPO)."""
        clocks = self.app.clocks(self.id)
        now = self.app.clock.now()
        for timer in deadlines.pending_timers(clocks, self.app.policy, now):
            if timer.due_at <= now:
                deadlines._fire(clocks, deadlines.Reached(timer.clock, timer.run, timer.threshold,
                                                          timer.due_at, now, timer.priority), now)
        self.app.save(clocks)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(pacific(2026, 11, 25, 16, 0))


@pytest.fixture
def app(clock: FixedClock) -> SlaTimerApplication:
    return SlaTimerApplication(env=popo_env(), clock=clock)


def test_a_p2_opened_the_day_before_thanksgiving_arms_response_timers_for_friday(app):
    ticket = Ticket(app)
    assert ticket.open(2, pacific(2026, 11, 25, 16, 0))
    response = [p for p in ticket.pending() if p[0] == "response"]
    assert response == [("response", 75.0, 1, pacific(2026, 11, 27, 14, 0)),
                        ("response", 90.0, 1, pacific(2026, 11, 27, 15, 12)),
                        ("response", 100.0, 1, pacific(2026, 11, 27, 16, 0))]
    clocks = app.clocks(ticket.id)
    assert clocks.policy_version == app.policy.version
    assert clocks.calendar_version == app.policy.calendar.version


def test_a_first_response_in_time_is_met_once_and_disarms_the_response_timers(app, clock):
    ticket = Ticket(app)
    ticket.open(2, pacific(2026, 11, 25, 16, 0))
    clock.set(pacific(2026, 11, 27, 13, 0))
    ticket.change(contracts.FirstResponseGiven, pacific(2026, 11, 27, 13, 0))
    assert ticket.fired() == [("DeadlineMet", "response", 100.0, 1)]
    assert not [p for p in ticket.pending() if p[0] == "response"]
    met = app.history(ticket.id)[-1]
    body = to_cloud_event(met, 7).data
    assert body.stopped_at == pacific(2026, 11, 27, 13, 0)
    assert body.lateness_seconds == -3 * 3600


def test_a_late_first_response_fires_the_owed_warnings_and_breach_not_met(app, clock):
    ticket = Ticket(app)
    ticket.open(2, pacific(2026, 11, 25, 16, 0))
    clock.set(pacific(2026, 11, 27, 17, 0))
    ticket.change(contracts.FirstResponseGiven, pacific(2026, 11, 27, 17, 0))
    assert ticket.fired() == [("DeadlineApproaching", "response", 75.0, 1),
                              ("DeadlineApproaching", "response", 90.0, 1),
                              ("DeadlineBreached", "response", 100.0, 1)]


def test_a_redelivered_event_changes_nothing(app):
    ticket = Ticket(app)
    ticket.open(2, pacific(2026, 11, 25, 16, 0))
    event = CloudEvent(id="x", source="/hotline/intake", type="hotline.ticket.responded.v1",
                       time=datetime.now(UTC), subject=ticket.number, position=999_999,
                       data=contracts.FirstResponseGiven(ticket_id=ticket.id, ticket_number=ticket.number,
                                                         at=pacific(2026, 11, 26, 9, 0)))
    assert app.take(event) is True
    assert app.take(event) is False
    assert ticket.fired() == [("DeadlineMet", "response", 100.0, 1)]


def test_a_priority_change_recomputes_from_the_original_start_under_a_new_version(app):
    ticket = Ticket(app)
    opened = pacific(2026, 11, 30, 9, 0)  # a Monday
    ticket.open(3, opened)
    ticket.change(contracts.PriorityChanged, pacific(2026, 11, 30, 10, 0), from_priority=3, priority=2)
    response = [p for p in ticket.pending() if p[0] == "response"]
    # 8 support hours from Monday 09:00 (the original start), not from the change at 10:00.
    assert response[-1] == ("response", 100.0, 2, pacific(2026, 11, 30, 17, 0))
    assert {p[2] for p in response} == {2}


def test_a_p1_opened_on_saturday_night_runs_24x7(app):
    ticket = Ticket(app)
    ticket.open(1, pacific(2026, 11, 28, 22, 0))
    due = {p[0]: p[3] for p in ticket.pending() if p[1] == 100.0}
    assert due["response"] == pacific(2026, 11, 29, 2, 0)  # 4 h, through the night
    assert due["resolution"] == pacific(2026, 11, 30, 22, 0)  # 48 h


def test_waiting_on_customer_pauses_resolution_and_resuming_bumps_its_version(app):
    ticket = Ticket(app)
    ticket.open(2, pacific(2026, 11, 30, 9, 0))
    ticket.change(contracts.WaitingOnCustomer, pacific(2026, 11, 30, 10, 0))
    resolution = [p for p in ticket.pending() if p[0] == "resolution"]
    assert all(p[1] < 100 for p in resolution)  # paused: no due instant, only earlier warnings
    ticket.change(contracts.CustomerResponded, pacific(2026, 11, 30, 12, 0))
    resolution = [p for p in ticket.pending() if p[0] == "resolution"]
    assert {p[2] for p in resolution} == {3} and resolution[-1][1] == 100.0


def test_a_reopened_ticket_runs_resolution_again_under_a_new_version(app):
    ticket = Ticket(app)
    ticket.open(2, pacific(2026, 11, 30, 9, 0))
    ticket.change(contracts.TicketResolved, pacific(2026, 11, 30, 11, 0))
    assert ("DeadlineMet", "resolution", 100.0, 1) in ticket.fired()
    assert [p[0] for p in ticket.pending() if p[0] != "response"] == ["rfo"] * 3
    ticket.change(contracts.TicketReopened, pacific(2026, 11, 30, 12, 0))
    versions = {p[2] for p in ticket.pending() if p[0] == "resolution"}
    assert versions == {2}


def test_a_lifecycle_event_for_an_unknown_ticket_is_refused(app):
    ticket = Ticket(app)
    with pytest.raises(UnknownTicket):
        ticket.change(contracts.FirstResponseGiven, pacific(2026, 11, 27, 9, 0))


def test_p4_has_no_clocks(app):
    ticket = Ticket(app)
    ticket.open(4, pacific(2026, 11, 30, 9, 0))
    assert ticket.pending() == []


# -- issue 8: each warning once, stops honoured, late knowledge corrected ----------------------
def standing(ticket: Ticket) -> dict:
    clocks = ticket.app.clocks(ticket.id)
    return {**{k: (p.kind, p.due_at) for k, p in clocks.standing.items()},
            **{(c, p.run, "met"): p.stopped_at for c, p in clocks.met.items()}}


def test_resolving_while_waiting_ends_the_pause_publishes_met_and_a_reopen_resumes(app, clock):
    ticket = Ticket(app)
    ticket.open(2, pacific(2026, 11, 30, 9, 0))  # resolution: 50 support hours
    ticket.change(contracts.WaitingOnCustomer, pacific(2026, 11, 30, 10, 0))
    clock.set(pacific(2026, 11, 30, 12, 0))
    ticket.change(contracts.TicketResolved, pacific(2026, 11, 30, 12, 0))
    assert ("DeadlineMet", "resolution") in [f[:2] for f in ticket.fired()]
    assert standing(ticket)[("resolution", 1, "met")] == pacific(2026, 11, 30, 12, 0)
    clock.set(pacific(2026, 11, 30, 13, 0))
    ticket.change(contracts.TicketReopened, pacific(2026, 11, 30, 13, 0))
    assert ticket.fired()[-1][0] == "DeadlineReopened"
    assert ("resolution", 1, "met") not in standing(ticket)
    # Running again: one support hour used (09:00–10:00); 49 left from Mon 13:00: 5 + 4 × 10 + 4
    # → due Mon Dec 7 12:00.
    due = [p for p in ticket.pending() if p[0] == "resolution" and p[1] == 100.0]
    assert due[0][3] == pacific(2026, 12, 7, 12, 0)


def test_a_warning_that_fired_is_not_fired_again_by_pause_resume_or_reopen(app, clock):
    ticket = Ticket(app)
    ticket.open(1, pacific(2026, 11, 30, 9, 0))  # P1 resolution 48 h 24x7: 75 % at Dec 1 21:00
    clock.set(pacific(2026, 12, 1, 21, 0))
    ticket.fire_due()
    assert ("DeadlineApproaching", "resolution", 75.0, 1) in ticket.fired()
    fired_before = len(ticket.fired())
    for contract, minute in ((contracts.WaitingOnCustomer, 10), (contracts.CustomerResponded, 20),
                             (contracts.TicketResolved, 30), (contracts.TicketReopened, 40)):
        clock.set(pacific(2026, 12, 1, 21, minute))
        ticket.change(contract, pacific(2026, 12, 1, 21, minute))
        ticket.fire_due()
    # The resolution clock's version moved four times; its 75 % warning fired once. The met at
    # 21:30 no longer stands after the reopen, and nothing was retracted.
    assert [f[0] for f in ticket.fired()[fired_before:]] == ["DeadlineMet", "DeadlineReopened"]
    assert not [p for p in ticket.pending() if p[:2] == ("resolution", 75.0)]
    assert ticket.app.clocks(ticket.id).targets["resolution"].version > 1
    # 90 % moved from Dec 2 04:12 by the 10 min pause and the 10 min it stood resolved.
    assert [p[3] for p in ticket.pending() if p[:2] == ("resolution", 90.0)] == [pacific(2026, 12, 2, 4, 32)]


def test_a_first_response_back_dated_before_the_breach_retracts_it_and_is_met(app, clock):
    ticket = Ticket(app)
    ticket.open(1, pacific(2026, 11, 30, 9, 0))  # P1 response due 13:00
    clock.set(pacific(2026, 11, 30, 13, 0))
    ticket.fire_due()
    breach = next(e for e in app.history(ticket.id) if type(e).__name__ == "DeadlineBreached")
    clock.set(pacific(2026, 11, 30, 13, 5))
    ticket.change(contracts.FirstResponseGiven, pacific(2026, 11, 30, 12, 50),
                  recorded_at=pacific(2026, 11, 30, 13, 5))
    events = app.history(ticket.id)
    retracted, met = events[-2], events[-1]
    assert type(retracted).__name__ == "DeadlineRetracted" and type(met).__name__ == "DeadlineMet"
    body = to_cloud_event(retracted, 9).data
    assert body.retracted_id == f"{ticket.id}:{breach.originator_version}"
    assert body.retracted_type == "hotline.sla.deadline-breached.v1"
    assert body.reason == "clock-stopped" and body.detail.startswith("first-response at 2026-11-30T20:50")
    assert met.stopped_at == pacific(2026, 11, 30, 12, 50)
    # The warnings at 12:00 and 12:36 were reached before the response: they stand.
    assert set(standing(ticket)) >= {("response", 1, 75.0), ("response", 1, 90.0), ("response", 1, "met")}
    assert ("response", 1, 100.0) not in standing(ticket)


def test_a_fix_before_any_first_response_stops_the_response_clock(app, clock):
    ticket = Ticket(app)
    ticket.open(2, pacific(2026, 11, 30, 9, 0))
    clock.set(pacific(2026, 11, 30, 10, 0))
    ticket.change(contracts.TicketResolved, pacific(2026, 11, 30, 10, 0))
    assert ("DeadlineMet", "response", 100.0, 1) in ticket.fired()
    assert not [p for p in ticket.pending() if p[0] == "response"]
    clock.set(pacific(2026, 12, 7, 9, 0))
    ticket.fire_due()
    assert not [f for f in ticket.fired() if f[1] == "response" and f[0] == "DeadlineBreached"]


def test_a_restarted_resolution_clock_warns_again_in_its_second_run(clock):
    from hotline.sla import SlaPolicy, SlaSettings
    app = SlaTimerApplication(env=popo_env(), clock=clock,
                              policy=SlaPolicy.from_settings(SlaSettings(reopen="restart")))
    ticket = Ticket(app)
    ticket.open(1, pacific(2026, 11, 30, 9, 0))
    clock.set(pacific(2026, 12, 1, 21, 0))
    ticket.fire_due()  # run 1: 75 % at Dec 1 21:00
    clock.set(pacific(2026, 12, 1, 22, 0))
    ticket.change(contracts.TicketResolved, pacific(2026, 12, 1, 22, 0))
    clock.set(pacific(2026, 12, 1, 23, 0))
    ticket.change(contracts.TicketReopened, pacific(2026, 12, 1, 23, 0))
    reopened = app.history(ticket.id)[-1]
    assert type(reopened).__name__ == "DeadlineReopened" and reopened.run == 2
    due = {p[1]: p[3] for p in ticket.pending() if p[0] == "resolution"}
    assert due == {75.0: pacific(2026, 12, 3, 11, 0), 90.0: pacific(2026, 12, 3, 18, 12),
                   100.0: pacific(2026, 12, 3, 23, 0)}
    clock.set(pacific(2026, 12, 3, 11, 0))
    ticket.fire_due()
    warnings = [k for k in app.clocks(ticket.id).standing if k[0] == "resolution" and k[2] == 75.0]
    assert sorted(warnings) == [("resolution", 1, 75.0), ("resolution", 2, 75.0)]


def test_an_rfo_with_its_text_stops_the_rfo_clock_when_notifier_sends_it(app, clock):
    ticket = Ticket(app)
    ticket.open(1, pacific(2026, 11, 30, 9, 0))
    clock.set(pacific(2026, 11, 30, 10, 0))
    ticket.change(contracts.TicketResolved, pacific(2026, 11, 30, 10, 0))
    clock.set(pacific(2026, 11, 30, 11, 0))
    ticket.change(contracts.RfoDelivered, pacific(2026, 11, 30, 11, 0), text="A carrier trunk failed.")
    assert [p for p in ticket.pending() if p[0] == "rfo"], "recorded, not yet sent: the clock runs"
    clock.set(pacific(2026, 11, 30, 11, 5))
    sent = contracts.NotificationSent(
        notification_id=uuid4(), kind="rfo", ticket_number=ticket.number, recipient="noc@acme.example",
        subject="RFO", message_id="<m@x>", attempt=1, sent_at=pacific(2026, 11, 30, 11, 5))
    Ticket.position += 1
    assert app.take(CloudEvent(id="n:1", source="/hotline/notifier", type=sent.ce_type,
                               time=datetime.now(UTC), subject=ticket.number, position=Ticket.position,
                               data=sent))
    met = app.history(ticket.id)[-1]
    assert type(met).__name__ == "DeadlineMet" and met.clock == "rfo"
    assert met.stopped_at == pacific(2026, 11, 30, 11, 5)


def test_an_rfo_delivered_otherwise_stops_the_clock_at_once(app, clock):
    ticket = Ticket(app)
    ticket.open(1, pacific(2026, 11, 30, 9, 0))
    clock.set(pacific(2026, 11, 30, 11, 0))
    ticket.change(contracts.TicketResolved, pacific(2026, 11, 30, 10, 0))
    ticket.change(contracts.RfoDelivered, pacific(2026, 11, 30, 11, 0))
    assert ("DeadlineMet", "rfo") in [f[:2] for f in ticket.fired()]
