"""SlaTimerApplication: keeps each ticket's SLA clocks and fires their deadlines exactly once.

- `take(event)` applies one ticket event from `hotline.tickets.v1`: it records the change on the
  ticket's `TicketClocks`, fires what a stopped clock owes (`DeadlineMet`, late marks), and
  replaces the ticket's rows in the due index — with the tracking row of the event's
  (source, position), all in one transaction.
- `take_batch(events)` applies many (a consumer batch) in one transaction: one query for the
  positions seen before, each ticket loaded once and changed in order, one save with every
  tracking row and the final timers of every ticket. Should another writer touch one of the
  tickets or positions meanwhile, it applies them with `take`, one by one.
- `fire_due(limit)` fires one batch of due timers without loading aggregates: the due rows
  carry everything the events need, the versions come from one query.
- `timeline(ticket_id)` and `rebuild_due_index()` read the event log.
- Availability (`hotline_sla_timer.availability`): outage records and maintenance windows,
  monthly figures, month closing, and `rebuild_availability()`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, StoredEvent, Tracking
from eventsourcing.popo import POPOFactory
from eventsourcing.postgres import PostgresFactory

from hotline import versions
from hotline.clock import Clock, SystemClock
from hotline.contracts import TicketOpened
from hotline.contracts.envelope import CloudEvent
from hotline.follower import RecentEvents
from hotline.processing import POPOMultiTrackingRecorder, TrackedApplication
from hotline.replay import fold, replay, topic_prefix
from hotline.sla import SlaPolicy, default_policy
from hotline.sla.settings import SlaSettings
from hotline_sla_timer.adapters.availability_rows import AvailabilityRows, MemoryAvailabilityRows
from hotline_sla_timer.adapters.due_index import DueIndexRecorder, DueRow, DueTimers
from hotline_sla_timer.adapters.availability_rows import span_of
from hotline_sla_timer.availability.outages import RESTORED, OutageRecords
from hotline_sla_timer.availability.reports import AvailabilityPolicy, AvailabilityReports
from hotline_sla_timer.domain import deadlines
from hotline_sla_timer.domain.changes import Change, change_from_contract, ticket_of
from hotline_sla_timer.domain.clocks import TicketClocks

log = logging.getLogger(__name__)

CONFLICT_RETRIES = 20


class UnknownTicket(LookupError):
    """A lifecycle event for a ticket whose opening was never seen."""


class SlaTimerRecorder(AvailabilityRows, DueIndexRecorder):
    """sla-timer's PostgreSQL recorder: events, tracking rows, the due index, availability rows."""


class MemorySlaTimerRecorder(MemoryAvailabilityRows, POPOMultiTrackingRecorder):
    """sla-timer's recorder in memory (unit tests): events, tracking rows, availability rows."""


class SlaTimerApplication(OutageRecords, AvailabilityReports, TrackedApplication):
    name = "sla_timer"

    def __init__(self, env: dict[str, str] | None = None, *, clock: Clock | None = None,
                 policy: SlaPolicy | None = None, reply_is_response: bool | None = None,
                 availability: AvailabilityPolicy | None = None) -> None:
        super().__init__(env=env)
        self.availability = availability or AvailabilityPolicy()
        self.clock = clock or SystemClock()
        self.policy = policy or default_policy()
        # An agent's public reply is a first response (HOTLINE_SLA_REPLY_IS_RESPONSE).
        self.reply_is_response = (SlaSettings().reply_is_response if reply_is_response is None
                                  else reply_is_response)
        self.registry = versions.record_in_force(
            self, versions.in_force(self.policy, self.policy.calendar), self.clock.now(), "sla-timer")
        self.policies = {(self.policy.version, self.policy.calendar.version): self.policy}
        self.recent = RecentEvents()

    def construct_recorder(self) -> Any:
        if isinstance(self.factory, PostgresFactory):
            prefix = self.env.name.lower()
            recorder = SlaTimerRecorder(self.factory.datastore, events_table_name=f"{prefix}_events",
                                        tracking_table_name=f"{prefix}_tracking")
            if self.factory.env_create_table():
                recorder.create_table()
            return recorder
        if isinstance(self.factory, POPOFactory):
            return MemorySlaTimerRecorder()
        return super().construct_recorder()

    # -- ticket events ----------------------------------------------------------------------
    def take(self, event: CloudEvent) -> bool:
        """Apply one ticket event. Returns False if it had been applied before."""
        tracking = Tracking(event.source_service, event.position)
        change = change_from_contract(event.data, self.reply_is_response)
        for _ in range(CONFLICT_RETRIES):
            if self.already_processed(tracking):
                return False
            try:
                if change is None:
                    return self.save_tracked(tracking)
                clocks, pending = self._changed(event, change)
                if clocks is None:
                    return self.save_tracked(tracking)
                ended = [o for o in [self.restored_outage(clocks)] if o] if change.kind in RESTORED else []
                return self.save_tracked(tracking, clocks, *ended, timers=DueTimers([clocks.id], pending),
                                         spans=[span_of(o.as_outage()) for o in ended])
            except IntegrityError:
                # The firing loop appended to this ticket since we loaded it: load it again.
                continue
        raise RuntimeError(f"{event.id}: version conflicts did not settle")

    def take_batch(self, events: list[CloudEvent]) -> int:
        """Apply ticket events in one transaction, in order per ticket. Returns how many were
        new (the rest had been applied before)."""
        fresh = self.unprocessed(events)
        if not fresh:
            return 0
        try:
            self._take_together(fresh)
            return len(fresh)
        except IntegrityError:
            # Another instance took some of these positions, or the firing loop appended to
            # one of these tickets since we loaded it: `take` sorts it out event by event.
            return sum(self.take(event) for _, event in fresh)

    def _take_together(self, fresh: list[tuple[Tracking, CloudEvent]]) -> None:
        now = self.clock.now()
        changes = [(event, change) for _, event in fresh
                   if (change := change_from_contract(event.data, self.reply_is_response)) is not None]
        clocks: dict[UUID, TicketClocks | None] = {}  # None: not opened (yet)
        # Most of a backlog is openings of new tickets: one query instead of one `get` each.
        # A ticket created meanwhile fails the save on its version 1 (IntegrityError).
        ids = {ticket_of(event.data) for event, _ in changes}
        clocks = dict.fromkeys(ids - self.existing(ids))
        pending: dict[UUID, list] = {}  # tickets whose timers change, with their final timers
        later: dict[UUID, list[Change]] = {}  # each ticket's changes, settled once at the end
        for event, change in changes:
            ticket_id = ticket_of(event.data)
            if ticket_id not in clocks:
                try:
                    clocks[ticket_id] = self.repository.get(ticket_id)
                except AggregateNotFoundError:
                    clocks[ticket_id] = None
            if clocks[ticket_id] is None:
                if not isinstance(event.data, TicketOpened):
                    raise UnknownTicket(f"{event.subject}: {event.type} for a ticket never opened")
                clocks[ticket_id], pending[ticket_id] = deadlines.open_clocks(event.data, self.policy, now)
            elif not isinstance(event.data, TicketOpened):  # a repeated opening changes nothing
                later.setdefault(ticket_id, []).append(change)
        ended = []  # outages a work-around or resolution in this batch ended
        for ticket_id, ticket_changes in later.items():
            current = clocks[ticket_id]
            assert current is not None
            pending[ticket_id] = deadlines.apply_changes(current, ticket_changes,
                                                         self.policy_for(current), now)
            if any(c.kind in RESTORED for c in ticket_changes):
                ended += [o for o in [self.restored_outage(current)] if o]
        changed = [c for c in clocks.values() if c is not None and c.id in pending]
        self.save_tracked_many([t for t, _ in fresh], *changed, *ended,
                               timers=DueTimers(list(pending), [t for ts in pending.values() for t in ts]),
                               spans=[span_of(o.as_outage()) for o in ended])

    def _changed(self, event: CloudEvent, change: Change) -> tuple[TicketClocks | None, list]:
        ticket_id = ticket_of(event.data)
        now = self.clock.now()
        try:
            clocks: TicketClocks = self.repository.get(ticket_id)
        except AggregateNotFoundError:
            if not isinstance(event.data, TicketOpened):
                raise UnknownTicket(f"{event.subject}: {event.type} for a ticket never opened") from None
            return deadlines.open_clocks(event.data, self.policy, now)
        if isinstance(event.data, TicketOpened):
            return None, []  # the same opening published again under another position
        return clocks, deadlines.apply_changes(clocks, [change], self.policy_for(clocks), now)

    def policy_for(self, clocks: TicketClocks) -> SlaPolicy:
        """The policy and calendar a ticket was opened under (each version is recorded the
        first time an instance runs with it; another instance may have recorded it since)."""
        key = (clocks.policy_version, clocks.calendar_version)
        policy = self.policies.get(key)
        if policy is None:
            policy = versions.policy_for(self.registry, *key)
            if policy is None:
                self.registry = versions.load(self)
                policy = versions.policy_for(self.registry, *key)
            if policy is None:
                log.warning("policy %s / calendar %s of %s were never recorded; using %s",
                            *key, clocks.ticket_number, self.policy.version)
                policy = self.policy
            self.policies[key] = policy
        return policy

    # -- firing --------------------------------------------------------------------------------
    def fire_due(self, limit: int = 1000, before_commit: Callable[[int], None] | None = None) -> int:
        """Fire one batch of due timers; returns how many fired. What was committed is offered
        to this process's relay (`recent`), which then need not read it back."""
        recorder: DueIndexRecorder = self.recorder  # type: ignore[assignment]
        now = self.clock.now()
        timestamp = TicketClocks.Event.create_timestamp()
        fired: list[Any] = []

        def build(rows: list[DueRow], versions: dict[UUID, int]) -> list[StoredEvent]:
            fired.clear()  # a retry builds again
            for row in rows:
                version = versions[row.ticket_id] = versions[row.ticket_id] + 1
                fired.append(getattr(TicketClocks, row.kind)(
                    originator_id=row.ticket_id, originator_version=version, timestamp=timestamp,
                    clock=row.clock, threshold=row.threshold, clock_version=row.clock_version,
                    due_at=row.due_at, fired_at=now, priority=row.priority,
                    ticket_number=row.ticket_number, policy_version=row.policy_version,
                    calendar_version=row.calendar_version, run=row.run,
                ))
            return [self.mapper.to_stored_event(event) for event in fired]

        for _ in range(CONFLICT_RETRIES):
            try:
                notification_ids = recorder.fire_due(now, limit, build, before_commit)
            except IntegrityError:
                continue
            self.recent.committed(list(zip(fired, notification_ids)))
            # How late the batch's latest timer fired, on the stack's clock (a metric).
            self.last_lateness = max(((now - e.due_at).total_seconds() for e in fired), default=0.0)
            return len(notification_ids)
        raise RuntimeError("firing: version conflicts did not settle")

    def anything_due(self) -> bool:
        """Whether any timer is due now (without claiming it)."""
        recorder: DueIndexRecorder = self.recorder  # type: ignore[assignment]
        return recorder.any_due(self.clock.now())

    # -- reading -------------------------------------------------------------------------------
    def clocks(self, ticket_id: UUID) -> TicketClocks:
        return self.repository.get(ticket_id)

    def history(self, ticket_id: UUID) -> list[Any]:
        return list(self.events.get(ticket_id))

    def ticket_ids(self) -> set[UUID]:
        ids: set[UUID] = set()
        last = 0
        while True:
            page = self.recorder.select_notifications(last + 1, 1000)
            if not page:
                return ids
            ids.update(n.originator_id for n in page if "TicketClocks" in n.topic)
            last = page[-1].id

    def rebuild_due_index(self, *, replace: bool = False) -> int:
        """Recompute every ticket's pending timers from the event log (after emptying the index,
        with `replace`), in one pass over the log (`hotline.replay`); returns the row count."""
        recorder: DueIndexRecorder = self.recorder  # type: ignore[assignment]
        if replace:
            recorder.truncate_timers()
        clocks = fold(replay(self, topic_prefixes=(topic_prefix(TicketClocks),)))
        now, total = self.clock.now(), 0
        batch: list[TicketClocks] = []
        for ticket in [*clocks.values(), None]:  # None: write the last batch
            if ticket is not None:
                batch.append(ticket)
            if batch and (ticket is None or len(batch) == 1000):
                pending = [t for c in batch for t in deadlines.pending_timers(c, self.policy_for(c), now)]
                recorder.rewrite(DueTimers([c.id for c in batch], pending))
                total += len(pending)
                batch = []
        return total
