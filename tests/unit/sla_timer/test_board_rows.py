"""The SLA board's rows: a clock's level by the marks `now` reached (75 %, 90 %, breached), a
ticket's level its worst clock's, the order by time to breach, and the read model following
the event log (a new ticket appears, a resolved-and-closed one leaves, nothing is read twice)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.board import rows
from hotline_sla_timer.board.view import BoardView

PACIFIC = ZoneInfo("America/Los_Angeles")
UTC = timezone.utc
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=PACIFIC).astimezone(UTC)


def at(hours: float) -> datetime:
    return MONDAY_9 + timedelta(hours=hours)


def clock(name: str = "response", due: float | None = 4, w75: float = 3, w90: float = 3.6,
          breached: float | None = None, paused: bool = False) -> rows.ClockEntry:
    return rows.ClockEntry(name, paused, None if due is None else at(due), ((75.0, at(w75)), (90.0, at(w90))),
                           None if breached is None else at(breached))


def ticket(number: str, *clocks: rows.ClockEntry, priority: int = 1) -> rows.TicketEntry:
    return rows.TicketEntry(uuid4(), number, priority, "Acme Corp", clocks)


@pytest.mark.parametrize(("hours", "level"), [
    (0, "ok"), (2.99, "ok"), (3, "warning-75"), (3.59, "warning-75"), (3.6, "warning-90"),
    (3.99, "warning-90"), (4, "breached"), (30, "breached"),
])
def test_a_clock_turns_amber_at_75_red_orange_at_90_and_red_at_its_due_instant(hours, level):
    assert clock().level(at(hours)) == level


def test_a_missed_due_instant_stays_breached_when_a_change_moved_the_due_instant_later():
    assert clock(due=20, w75=15, w90=18, breached=4).level(at(5)) == "breached"


def test_a_paused_clock_has_no_countdown_but_keeps_the_warnings_it_reached():
    paused = clock("resolution", due=None, paused=True)
    assert paused.level(at(3.2)) == "warning-75"
    row = rows.board([ticket("T-000001", paused)], at(3.2), flowing=True)["rows"][0]
    assert row["clocks"][0] == {**row["clocks"][0], "paused": True, "due_at": None, "seconds_to_breach": None}


def test_rows_are_sorted_by_time_to_breach_with_the_worst_clock_deciding_the_level():
    later = ticket("T-000001", clock(due=10, w75=8, w90=9))
    soon = ticket("T-000002", clock(due=4), clock("resolution", due=48, w75=36, w90=43.2), priority=2)
    overdue = ticket("T-000003", clock(due=1, w75=0.75, w90=0.9))
    only_paused = ticket("T-000004", clock("resolution", due=None, w75=10, w90=11, paused=True))
    board = rows.board([later, only_paused, soon, overdue], at(3.7), flowing=False)
    assert board["now"] == "2026-11-30T20:42:00Z" and board["flowing"] is False
    assert [(r["ticket"], r["level"]) for r in board["rows"]] == [
        ("T-000003", "breached"), ("T-000002", "warning-90"), ("T-000001", "ok"), ("T-000004", "ok")]
    soon_row = board["rows"][1]
    assert soon_row["seconds_to_breach"] == pytest.approx(0.3 * 3600)
    assert [(c["clock"], c["level"]) for c in soon_row["clocks"]] == [("response", "warning-90"),
                                                                        ("resolution", "ok")]
    assert soon_row["clocks"][0]["marks"] == [{"threshold": 75.0, "at": "2026-11-30T20:00:00Z"},
                                              {"threshold": 90.0, "at": "2026-11-30T20:36:00Z"}]
    assert board["rows"][0]["seconds_to_breach"] == pytest.approx(-2.7 * 3600)


# -- the read model over a real (in-memory) sla-timer ------------------------------------------
class Ticket:
    position = 0

    def __init__(self, app: SlaTimerApplication, number: str) -> None:
        self.app, self.number, self.id = app, number, contracts.ticket_id_for(number)

    def send(self, data: contracts.EventBody) -> None:
        Ticket.position += 1
        self.app.take(CloudEvent(id=f"{self.id}:{Ticket.position}", source="/hotline/intake",
                                 type=data.ce_type, time=datetime.now(UTC), subject=self.number,
                                 position=Ticket.position, data=data))

    def open(self, priority: int, when: datetime) -> Ticket:
        self.send(contracts.TicketOpened(
            ticket_id=self.id, ticket_number=self.number, customer="Acme Corp", location="x",
            issue="i", description="d", priority=priority, channel="email",
            contact="noc@acme.example", received_at=when, off_hours=False))
        return self

    def change(self, contract: type, when: datetime) -> None:
        self.send(contract(ticket_id=self.id, ticket_number=self.number, at=when))


@pytest.fixture
def app() -> SlaTimerApplication:
    return SlaTimerApplication(env=popo_env(), clock=FixedClock(MONDAY_9))


def test_the_view_shows_a_p1_opened_with_its_response_and_resolution_clocks(app):
    Ticket(app, "T-000101").open(1, MONDAY_9)
    view = BoardView(app)
    board = view.snapshot()
    assert board["flowing"] is False and board["now"] == "2026-11-30T17:00:00Z"
    [row] = board["rows"]
    assert (row["ticket"], row["priority"], row["customer"], row["level"]) == ("T-000101", 1, "Acme Corp", "ok")
    response = next(c for c in row["clocks"] if c["clock"] == "response")
    assert response["due_at"] == "2026-11-30T21:00:00Z"  # 4 h, 24x7
    assert [m["threshold"] for m in response["marks"]] == [75.0, 90.0]
    app.clock.set(at(4))
    assert view.snapshot()["rows"][0]["level"] == "breached"


def test_the_view_reads_only_what_is_new_and_drops_a_closed_ticket(app):
    view = BoardView(app)
    first = Ticket(app, "T-000102").open(2, MONDAY_9)
    assert view.catch_up() is True
    seen = view.position
    assert view.catch_up() is False and view.position == seen
    Ticket(app, "T-000103").open(1, MONDAY_9)
    assert view.catch_up() is True
    assert [r["ticket"] for r in view.snapshot()["rows"]] == ["T-000103", "T-000102"]
    for contract, hours in ((contracts.FirstResponseGiven, 1), (contracts.TicketResolved, 2),
                            (contracts.TicketClosed, 3)):
        first.change(contract, at(hours))
    assert [r["ticket"] for r in view.snapshot()["rows"]] == ["T-000103"]
