"""What the web console shows of tickets: which tickets (a customer's, or the agents' queue), and
each ticket's SLA clocks.

- Finding tickets reads intake's event table for `Ticket.Opened` rows (by customer, or received
  within the queue's window, both filtered in the query), newest first, bounded by `LIMIT`;
  each ticket is then rebuilt from its events, as every API read does.
- The clocks are computed from the ticket's own events by the same policy kernel and the same
  vocabulary sla-timer uses (`hotline.sla.changes`), with the settings in force
  (`HOTLINE_SLA_*`). They are a view for people; sla-timer's published deadline events remain the
  record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from psycopg import sql

from hotline.replay import topic_prefix
from hotline.sla import ClockState, ClockStatus, SlaPolicy
from hotline.sla.changes import change_from_contract, sla_events
from hotline_intake.application import IntakeApplication
from hotline_intake.domain.ticket import Ticket
from hotline_intake.publication import to_cloud_event

LIMIT = 200
OPENED_TOPIC = topic_prefix(Ticket) + "Opened"


@dataclass(frozen=True)
class Clocks:
    """A ticket's clocks as of `now`, and when the next running one breaches."""

    states: tuple[ClockState, ...]
    next_due: datetime | None

    @property
    def breached(self) -> bool:
        return any(s.status is ClockStatus.BREACHED for s in self.states)


def clocks_of(app: IntakeApplication, ticket: Ticket, policy: SlaPolicy, now: datetime) -> Clocks:
    changes = []
    for event in app.events.get(ticket.id):
        published = to_cloud_event(event, 0)
        change = change_from_contract(published.data) if published is not None else None
        if change is not None:
            changes.append(change)
    result = policy.evaluate(sla_events(changes), now=max(now, changes[-1].at))
    running = [s.due_at for s in result.clocks
               if s.status in (ClockStatus.RUNNING, ClockStatus.BREACHED) and s.stopped_at is None
               and s.due_at is not None]
    return Clocks(result.clocks, min(running) if running else None)


class TicketFinder:
    def __init__(self, app: IntakeApplication, pool: Any, schema: str) -> None:
        self.app, self.pool = app, pool
        self.events = sql.Identifier(schema, f"{app.name.lower()}_events")

    def of_customer(self, customer: str) -> list[Ticket]:
        """The customer's tickets, newest first (at most `LIMIT`)."""
        return self._load(sql.SQL(
            "SELECT originator_id FROM {} WHERE topic = %s AND "
            "convert_from(state, 'UTF8')::jsonb ->> 'customer' = %s "
            "ORDER BY notification_id DESC LIMIT %s").format(self.events), (OPENED_TOPIC, customer, LIMIT))

    def opened_since(self, since: datetime) -> list[Ticket]:
        """Tickets received since `since`, newest first (at most `LIMIT`×5); the window is
        applied in the query, so older tickets are never loaded."""
        return self._load(sql.SQL(
            "SELECT originator_id FROM {} WHERE topic = %s AND (convert_from(state, 'UTF8')::jsonb "
            "-> 'received_at' ->> '_data_')::timestamptz >= %s "
            "ORDER BY notification_id DESC LIMIT %s").format(self.events), (OPENED_TOPIC, since, LIMIT * 5))

    def _load(self, query: Any, arguments: tuple) -> list[Ticket]:
        with self.pool.connection() as conn:
            ids = [row["originator_id"] for row in conn.execute(query, arguments).fetchall()]
        return [self.app.repository.get(i) for i in ids]


def queue(finder: TicketFinder, policy: SlaPolicy, now: datetime, days: int) -> list[tuple[Ticket, Clocks]]:
    """Open tickets of the last `days` days, soonest breach first (breached ones first of all,
    tickets with no running clock last)."""
    found = [(t, clocks_of(finder.app, t, policy, now))
             for t in finder.opened_since(now - timedelta(days=days)) if t.status == "open"]
    far = now + timedelta(days=3650)
    return sorted(found, key=lambda pair: (pair[1].next_due or far, pair[0].number))
