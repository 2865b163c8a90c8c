"""Priority 4 "when commercially feasible based on mutual agreement": the agreed date is the P4's
only deadline (its resolution clock), with warnings and a breach like any clock; a later
agreement moves it; a resolution in time meets it; other priorities ignore agreements."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

from hotline import contracts, sla
from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.domain.changes import change_from_contract
from test_ticket_clocks import Ticket, pacific

OPENED = pacific(2026, 12, 1, 9, 0)  # Tuesday
AGREED_AT = OPENED + timedelta(hours=1)
TARGET = AGREED_AT + timedelta(hours=40)


def app_at(clock: FixedClock) -> SlaTimerApplication:
    return SlaTimerApplication(env=popo_env(), clock=clock)


def test_an_agreement_is_a_p4s_only_deadline():
    clock = FixedClock(OPENED)
    app = app_at(clock)
    ticket = Ticket(app, "T-000401")
    ticket.open(4, OPENED)
    assert ticket.pending() == []  # P4: no contract clock at all
    clock.set(AGREED_AT)
    ticket.change(contracts.AgreementRecorded, AGREED_AT, customer="Acme Corp", target=TARGET,
                  quote_id=uuid4(), revision=1, recorded_at=AGREED_AT)
    assert ticket.pending() == [("resolution", 75.0, 1, AGREED_AT + timedelta(hours=30)),
                                ("resolution", 90.0, 1, AGREED_AT + timedelta(hours=36)),
                                ("resolution", 100.0, 1, TARGET)]
    clock.set(TARGET + timedelta(minutes=1))
    ticket.fire_due()
    assert ticket.fired() == [("DeadlineApproaching", "resolution", 75.0, 1),
                              ("DeadlineApproaching", "resolution", 90.0, 1),
                              ("DeadlineBreached", "resolution", 100.0, 1)]
    breached = [e for e in app.history(ticket.id) if type(e).__name__ == "DeadlineBreached"]
    assert breached[0].due_at == TARGET and breached[0].priority == 4


def test_a_later_agreement_moves_the_date_and_a_resolution_in_time_meets_it():
    clock = FixedClock(OPENED)
    app = app_at(clock)
    ticket = Ticket(app, "T-000402")
    ticket.open(4, OPENED)
    clock.set(AGREED_AT)
    ticket.change(contracts.AgreementRecorded, AGREED_AT, customer="Acme Corp", target=TARGET, revision=1)
    later = AGREED_AT + timedelta(hours=2)
    clock.set(later)
    ticket.change(contracts.AgreementRecorded, later, customer="Acme Corp",
                  target=TARGET + timedelta(days=2), revision=2)
    assert [p[3] for p in ticket.pending() if p[1] == 100.0] == [TARGET + timedelta(days=2)]
    clock.set(TARGET + timedelta(days=1))
    ticket.change(contracts.TicketResolved, TARGET + timedelta(days=1))
    assert ticket.fired()[-1][:2] == ("DeadlineMet", "resolution")
    assert not [p for p in ticket.pending() if p[0] == "resolution"]


def test_other_priorities_ignore_an_agreement():
    policy = sla.SlaPolicy.from_settings()
    plain = policy.evaluate([sla.TicketOpened(OPENED, 3)], now=AGREED_AT)
    agreed = policy.evaluate([sla.TicketOpened(OPENED, 3), sla.AgreementRecorded(AGREED_AT, target=TARGET)],
                             now=AGREED_AT)
    assert agreed.resolution == plain.resolution


def test_the_contract_event_becomes_an_agreed_change_with_its_date():
    data = contracts.AgreementRecorded(ticket_id=uuid4(), ticket_number="T-000403", at=AGREED_AT,
                                       customer="Acme Corp", target=TARGET, revision=1)
    change = change_from_contract(data)
    assert change is not None and (change.kind, change.target) == ("agreed", TARGET)
    assert change.sla_event() == sla.AgreementRecorded(AGREED_AT, target=TARGET)
