"""The figures of a customer's monthly SLA report, from sla-timer's clocks.

Tickets are those of the customer (compared without case) opened in the month, in Pacific time
(`Month.of` the ticket's received instant). Each is evaluated by the policy and calendar versions
recorded at its opening, as of now (never before its last change): every clock with a budget is
`met`, `breached` (stopped late, or running past its due instant), `running`, `paused` or
`not-started` (the RFO clock before the resolution). A clock counts under the priority it was
judged by (a stopped clock keeps the priority it stopped under). Percentages are met / (met +
breached), one decimal place, half up; running and paused clocks are counted apart, not-started
ones not at all. Clocks opened before sla-timer kept the ticket's customer have none: they
cannot be attributed, and are counted in `without_customer` when opened in the month.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hotline.sla import ClockStatus
from hotline.sla.availability import Month
from hotline_sla_timer.domain.changes import sla_events
from hotline_sla_timer.domain.clocks import TicketClocks

CLOCKS = ("response", "resolution", "rfo")
RUNNING = {ClockStatus.RUNNING, ClockStatus.PAUSED}


@dataclass(frozen=True)
class ClockLine:
    clock: str
    status: str  # met | breached | running | paused | not-started
    priority: int  # the priority it is judged by
    due_at: datetime | None
    actual_at: datetime | None  # when it stopped (the first response, the fix, the RFO)


@dataclass(frozen=True)
class TicketLine:
    number: str
    priority: int
    opened_at: datetime
    policy_version: str
    calendar_version: str
    clocks: tuple[ClockLine, ...]

    def clock(self, name: str) -> ClockLine | None:
        return next((c for c in self.clocks if c.clock == name), None)


@dataclass
class Tally:
    met: int = 0
    breached: int = 0
    running: int = 0

    def count(self, status: str) -> None:
        if status == "met":
            self.met += 1
        elif status == "breached":
            self.breached += 1
        elif status in ("running", "paused"):
            self.running += 1

    @property
    def percent_met(self) -> Decimal | None:
        decided = self.met + self.breached
        if not decided:
            return None
        return (Decimal(self.met * 100) / decided).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def as_json(self) -> dict[str, Any]:
        percent = self.percent_met
        return {"met": self.met, "breached": self.breached, "running": self.running,
                "percent_met": None if percent is None else str(percent)}


@dataclass
class SlaReport:
    customer: str
    month: Month
    as_of: datetime
    tickets: list[TicketLine] = field(default_factory=list)
    by_priority: dict[str, Tally] = field(default_factory=dict)
    by_clock: dict[str, Tally] = field(default_factory=dict)
    overall: Tally = field(default_factory=Tally)
    without_customer: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer, "month": str(self.month), "as_of": _iso(self.as_of),
            "tickets": [{"number": t.number, "priority": t.priority, "opened_at": _iso(t.opened_at),
                         "policy_version": t.policy_version, "calendar_version": t.calendar_version,
                         "clocks": {c.clock: {"status": c.status, "priority": c.priority,
                                              "due_at": _iso(c.due_at), "actual_at": _iso(c.actual_at)}
                                    for c in t.clocks}} for t in self.tickets],
            "by_priority": {k: v.as_json() for k, v in self.by_priority.items()},
            "by_clock": {k: v.as_json() for k, v in self.by_clock.items()},
            "overall": self.overall.as_json(),
            "without_customer": self.without_customer,
        }


def ticket_line(clocks: TicketClocks, policy: Any, now: datetime) -> TicketLine:
    """One ticket's clocks as of `now` under `policy` (its recorded one)."""
    result = policy.evaluate(sla_events(clocks.changes), now=max(now, max(c.at for c in clocks.changes)))
    lines = tuple(ClockLine(s.clock, s.status.value, int(s.priority), s.due_at, s.stopped_at)
                  for s in result.clocks if s.status is not ClockStatus.NOT_APPLICABLE)
    return TicketLine(clocks.ticket_number, int(clocks.priority), clocks.changes[0].at,
                      clocks.policy_version, clocks.calendar_version, lines)


def month_report(app: Any, customer: str, month: Month) -> SlaReport:
    """The report of `customer` for `month`, read from `app` (an `SlaTimerApplication`)."""
    now = app.clock.now()
    report = SlaReport(customer, month, now)
    wanted = customer.strip().casefold()
    for ticket_id in app.ticket_ids():
        clocks: TicketClocks = app.clocks(ticket_id)
        if Month.of(clocks.changes[0].at) != month:
            continue
        owner = getattr(clocks, "customer", None)
        if owner is None:
            report.without_customer += 1
            continue
        if owner.strip().casefold() != wanted:
            continue
        report.tickets.append(ticket_line(clocks, app.policy_for(clocks), now))
    report.tickets.sort(key=lambda t: t.number)
    for ticket in report.tickets:
        for line in ticket.clocks:
            report.by_priority.setdefault(f"P{line.priority}", Tally()).count(line.status)
            report.by_clock.setdefault(line.clock, Tally()).count(line.status)
            report.overall.count(line.status)
    report.by_priority = dict(sorted(report.by_priority.items()))
    report.by_clock = {c: report.by_clock[c] for c in CLOCKS if c in report.by_clock}
    return report


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()
