"""The auditor's recomputation: every SLA outcome again, from the record, against what was published.

For each ticket's `TicketClocks`: its recorded changes (`sla_events(clocks.changes)`) evaluated
by `hotline.sla.outcomes` under the policy and calendar versions recorded at its opening (rebuilt
from the version registry, never the policy in force now), or under a what-if policy
(`hotline.sla.policy_file.PolicyFile`, on the ticket's own calendar). Each (clock, run,
threshold) gets an outcome on both sides: `warning` or `breached` (a threshold reached), `met`
(the clock stopped in time; threshold 100), or none. A difference is a key whose outcome, due
instant or stop instant differs. Published means standing: fired and not retracted or reopened.

Not yet due is ignored on both sides alike: the expected side is evaluated as of now (never
before the ticket's last change), and a published threshold due after that instant (the
simulated clock was moved back) is not compared unless the expected side reached it. A
threshold reached in the last `grace` seconds that the firing loop has not fired yet is owed,
not a difference (firing holds due timers up to 30 s while the ticket consumer is behind).

Nothing is written: aggregates are read and evaluated, the event log is left as it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from hotline import versions
from hotline.calendar import CalendarRules, SupportCalendar
from hotline.contracts import ticket_id_for
from hotline.sla import SlaPolicy
from hotline.sla.outcomes import BREACH, Key, outcomes
from hotline_sla_timer.domain.changes import sla_events
from hotline_sla_timer.domain.clocks import TicketClocks

CLOCK_ORDER = {"response": 0, "resolution": 1, "rfo": 2}
DEFAULT_GRACE = timedelta(seconds=60)


@dataclass(frozen=True)
class Side:
    """One side's outcome of a (clock, run, threshold)."""

    outcome: str  # warning | breached | met
    due_at: datetime
    at: datetime  # when it was reached (expected) or due (published); a met's stop
    stopped_at: datetime | None = None
    by_timer: bool = True  # reached as time passed (a met is decided by a change)


@dataclass(frozen=True)
class Difference:
    ticket: str
    clock: str
    run: int
    threshold: float
    expected: str | None
    published: str | None
    expected_due_at: datetime | None
    published_due_at: datetime | None
    expected_stopped_at: datetime | None = None
    published_stopped_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}


@dataclass
class Recomputation:
    as_of: datetime
    policy: str  # "recorded", or the what-if policy's version
    tickets: int = 0
    differences: list[Difference] = field(default_factory=list)
    owed: int = 0  # reached within the grace, not fired yet
    unverifiable: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "policy": self.policy, "tickets": self.tickets,
                "differences": [d.as_json() for d in self.differences], "owed": self.owed,
                "unverifiable": self.unverifiable}


class UnknownTickets(LookupError):
    """Ticket numbers sla-timer keeps no clocks for."""


# -- one ticket (pure) ---------------------------------------------------------------------------
def expected_sides(policy: SlaPolicy, clocks: TicketClocks,
                   now: datetime) -> tuple[dict[Key, Side], dict[Key, datetime], datetime]:
    """What the policy decides: outcomes by key, the due instants still ahead, and the instant
    it is evaluated at (now, never before the last change)."""
    found = outcomes(policy, sla_events(clocks.changes), now)
    sides = {key: Side("breached" if r.threshold == BREACH else "warning", r.due_at, r.reached_at)
             for key, r in found.reached.items()}
    for met in found.met.values():
        sides[(met.clock, met.run, BREACH)] = Side("met", met.due_at, met.stopped_at, met.stopped_at, False)
    ahead = {(p.clock, p.run, p.threshold): p.due_at for p in found.pending}
    return sides, ahead, max(now, max(c.at for c in clocks.changes))


def published_sides(clocks: TicketClocks) -> dict[Key, Side]:
    """What sla-timer published and still stands."""
    sides = {key: Side("breached" if p.kind == "DeadlineBreached" else "warning", p.due_at, p.due_at)
             for key, p in clocks.standing.items()}
    for met in clocks.met.values():
        key = (met.clock, met.run, BREACH)
        outcome = "met" if key not in sides else "breached and met"
        sides[key] = Side(outcome, met.due_at, met.stopped_at or met.due_at, met.stopped_at, False)
    return sides


def compare(clocks: TicketClocks, policy: SlaPolicy, now: datetime,
            grace: timedelta = DEFAULT_GRACE) -> tuple[list[Difference], int]:
    """One ticket's differences, and how many thresholds are owed (within the grace)."""
    expected, ahead, as_of = expected_sides(policy, clocks, now)
    published = published_sides(clocks)
    differences, owed = [], 0
    for key in sorted(expected.keys() | published.keys(), key=_order):
        e, p = expected.get(key), published.get(key)
        if e is None and p is not None and p.at > as_of:
            continue  # published due after now: not yet due on the expected side either
        if p is None and e is not None and e.by_timer and e.at > as_of - grace:
            owed += 1
            continue
        if e is not None and p is not None and (e.outcome, e.due_at, e.stopped_at) == (
                p.outcome, p.due_at, p.stopped_at):
            continue
        clock, run, threshold = key
        differences.append(Difference(
            clocks.ticket_number, clock, run, threshold, e and e.outcome, p and p.outcome,
            e.due_at if e else ahead.get(key), p and p.due_at,
            e and e.stopped_at, p and p.stopped_at))
    return differences, owed


def _order(key: Key) -> tuple[int, int, float]:
    return (CLOCK_ORDER.get(key[0], 9), key[1], key[2])


# -- the application's tickets (read-only) -------------------------------------------------------
class Policies:
    """Each ticket's policy: the recorded (policy, calendar) pair, or a what-if policy on the
    ticket's recorded calendar. `None` with a reason when the record cannot rebuild it."""

    def __init__(self, app: Any, what_if: Any | None = None) -> None:
        self.app, self.what_if = app, what_if
        self.registry = versions.load(app)
        self.cache: dict[tuple[str, str], SlaPolicy | str] = {}

    def of(self, clocks: TicketClocks) -> SlaPolicy | str:
        key = (clocks.policy_version, clocks.calendar_version)
        if key not in self.cache:
            self.cache[key] = self._build(*key)
        return self.cache[key]

    def _build(self, policy_version: str, calendar_version: str) -> SlaPolicy | str:
        recorded = self.registry.versions.get((versions.CALENDAR, calendar_version))
        if recorded is None:
            return f"calendar version {calendar_version} was never recorded"
        calendar = SupportCalendar(CalendarRules.from_data(recorded.data))
        if calendar.version != calendar_version:
            return f"the recorded calendar {calendar_version} rebuilds as {calendar.version}"
        if self.what_if is not None:
            return self.what_if.policy(calendar)
        in_force = self.app.policy
        if (policy_version, calendar_version) == (in_force.version, in_force.calendar.version):
            return in_force
        policy = versions.policy_for(self.registry, policy_version, calendar_version)
        if policy is None:
            return f"policy version {policy_version} was never recorded"
        if policy.version != policy_version:
            return f"the recorded policy {policy_version} rebuilds as {policy.version}"
        return policy


def recompute(app: Any, numbers: Iterable[str] | None = None, what_if: Any | None = None,
              grace: timedelta = DEFAULT_GRACE) -> Recomputation:
    """Recompute the named tickets (None: every ticket sla-timer keeps clocks for)."""
    now = app.clock.now()
    policies = Policies(app, what_if)
    label = "recorded" if what_if is None else what_if.policy(app.policy.calendar).version
    done = Recomputation(as_of=now, policy=label)
    for clocks in _tickets(app, numbers):
        done.tickets += 1
        policy = policies.of(clocks)
        if isinstance(policy, str):
            done.unverifiable.append({"ticket": clocks.ticket_number, "reason": policy})
            continue
        differences, owed = compare(clocks, policy, now, grace)
        done.differences += differences
        done.owed += owed
    return done


def _tickets(app: Any, numbers: Iterable[str] | None) -> list[TicketClocks]:
    if numbers is None:
        found = [app.clocks(ticket_id) for ticket_id in app.ticket_ids()]
        return sorted(found, key=lambda c: c.ticket_number)
    found, unknown = [], []
    for number in dict.fromkeys(numbers):
        ticket_id: UUID = ticket_id_for(number)
        try:
            found.append(app.clocks(ticket_id))
        except AggregateNotFoundError:
            unknown.append(number)
    if unknown:
        raise UnknownTickets(", ".join(unknown))
    return found
