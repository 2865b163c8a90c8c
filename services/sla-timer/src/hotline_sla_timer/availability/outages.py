"""Outage records: `record_outage` marks a P1 or P2 ticket as a service outage (recording it
again corrects it), `end_outage` ends one still open, `take_maintenance` keeps the maintenance
windows notifier publishes. Each writes its read-model row with its events.

Defaults (`hotline outage record`): the start is the ticket's opening, the end its first
work-around or resolution (none yet: the outage stays open until that work-around or resolution
ends it by itself, `correction: restored`, or `hotline outage end` does; recorded again without
one, an end recorded before is kept), the customers the ticket's own (a ticket
opened before sla-timer kept its customer needs `--customers`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Tracking

from hotline import contracts
from hotline.contracts.envelope import CloudEvent
from hotline.sla.availability import CAUSES, SERVICE_CLASSES
from hotline_sla_timer.adapters.availability_rows import span_of
from hotline_sla_timer.availability import Refused
from hotline_sla_timer.domain.clocks import TicketClocks
from hotline_sla_timer.domain.outages import MaintenanceRecord, ServiceOutage, outage_id_for

OUTAGE_PRIORITIES = (1, 2)
RESTORED = ("workaround-provided", "resolved")
RETRIES = 5
ANNOUNCED = {contracts.MaintenanceScheduled: "scheduled_at",
             contracts.MaintenanceRescheduled: "rescheduled_at"}
KINDS = {contracts.MaintenanceScheduled: "scheduled", contracts.MaintenanceRescheduled: "rescheduled",
         contracts.MaintenanceCancelled: "cancelled", contracts.MaintenanceStarted: "started",
         contracts.MaintenanceCompleted: "completed"}


class OutageRecords:
    """Mixin for `SlaTimerApplication` (which gives `repository`, `save`, `clock`, ...)."""

    repository: Any
    clock: Any

    def record_outage(self, number: str, service_class: str, cause: str, *,
                      starts_at: datetime | None = None, ends_at: datetime | None = None,
                      customers: list[str] | None = None, actor: dict[str, str] | None = None
                      ) -> ServiceOutage:
        """Mark ticket `number` as an outage, or correct its record. `customers` ["all"]: every
        customer."""
        if service_class not in SERVICE_CLASSES:
            raise Refused(422, "bad_class", f"{service_class!r} is not core or supporting")
        if cause not in CAUSES:
            raise Refused(422, "bad_cause", f"{cause!r} is not one of {', '.join(CAUSES)}")
        clocks = self._ticket(number)
        if clocks.priority not in OUTAGE_PRIORITIES:
            raise Refused(409, "not_an_outage", f"{number} is Priority {clocks.priority}: only "
                          "Priority 1 and 2 tickets are service outages")
        listed, everyone = self._outage_customers(clocks, customers)
        starts_at, ends_at = _utc(starts_at), _utc(ends_at)
        start = starts_at or clocks.changes[0].at
        for _ in range(RETRIES):
            outage = self._outage(clocks.ticket_id)
            end = ends_at or restored_at(clocks) or (outage.ends_at if outage else None)
            _check(number, start, end)
            fields = dict(service_class=service_class, cause=cause, starts_at=start, ends_at=end,
                          customers=listed, all_customers=everyone, recorded_at=self.clock.now(),
                          actor=actor)
            if outage is None:
                outage = ServiceOutage(ticket_id=clocks.ticket_id, ticket_number=number,
                                       priority=clocks.priority, **fields)
            else:
                outage.correct(correction="recorded-again", priority=clocks.priority, **fields)
            if self._saved(outage):
                return outage
        raise Refused(409, "conflict", f"{number}'s outage record changed meanwhile; try again")

    def end_outage(self, number: str, at: datetime, actor: dict[str, str] | None = None) -> ServiceOutage:
        """End an outage still open at `at`."""
        clocks = self._ticket(number)
        at = _utc(at)
        for _ in range(RETRIES):
            outage = self._outage(clocks.ticket_id)
            if outage is None:
                raise Refused(404, "unknown_outage", f"{number} is not recorded as an outage")
            if outage.ends_at is not None:
                raise Refused(409, "already_ended", f"{number}'s outage ended at "
                              f"{outage.ends_at.isoformat()}; record it again to correct it")
            _check(number, outage.starts_at, at)
            outage.correct(correction="ended", service_class=outage.service_class, cause=outage.cause,
                           starts_at=outage.starts_at, ends_at=at, customers=outage.customers,
                           all_customers=outage.all_customers, recorded_at=self.clock.now(),
                           priority=outage.priority, actor=actor)
            if self._saved(outage):
                return outage
        raise Refused(409, "conflict", f"{number}'s outage record changed meanwhile; try again")

    def restored_outage(self, clocks: TicketClocks) -> ServiceOutage | None:
        """The outage of a ticket whose first work-around or resolution was just applied, if it
        was recorded while still open: ended at that instant (its default end), to be saved
        with the ticket's clocks. None when there is nothing to end."""
        at = restored_at(clocks)
        if at is None:
            return None
        outage = self._outage(clocks.ticket_id)
        if outage is None or outage.ends_at is not None or at <= outage.starts_at:
            return None
        outage.correct(correction="restored", service_class=outage.service_class, cause=outage.cause,
                       starts_at=outage.starts_at, ends_at=at, customers=outage.customers,
                       all_customers=outage.all_customers, recorded_at=self.clock.now(),
                       priority=outage.priority, actor=None)
        return outage

    def outage(self, number: str) -> ServiceOutage:
        found = self._outage(contracts.ticket_id_for(number))
        if found is None:
            raise Refused(404, "unknown_outage", f"{number} is not recorded as an outage")
        return found

    def take_maintenance(self, event: CloudEvent) -> bool:
        """Keep a maintenance window's event (`hotline.maintenance.v1`) with its tracking row; a
        change's events are only tracked. Returns False if it had been applied before."""
        data = event.data
        # A relevant platform change (`kind: change`, announced or later) is no maintenance window.
        change = getattr(data, "kind", "maintenance") != "maintenance"
        kind = None if change else KINDS.get(type(data))
        tracking = Tracking(event.source_service, event.position)
        for _ in range(RETRIES):
            if self.already_processed(tracking):  # type: ignore[attr-defined]
                return False
            if kind is None:
                return self.save_tracked(tracking)  # type: ignore[attr-defined]
            record = self._window(data.window_id)
            announced = getattr(data, ANNOUNCED.get(type(data), ""), None) or (
                record.announced_at if record is not None else data.starts_at)
            fields = dict(kind=kind, starts_at=data.starts_at, ends_at=data.ends_at,
                          services=list(data.services), customers=list(data.customers),
                          all_customers=data.all_customers, emergency=data.emergency,
                          announced_at=announced, completed_at=getattr(data, "completed_at", None))
            if record is None:
                record = MaintenanceRecord(window_id=data.window_id, **fields)
            else:
                record.seen(**fields)
            try:
                spans = [span_of(record.as_window())]
                return self.save_tracked(tracking, record, spans=spans)  # type: ignore[attr-defined]
            except IntegrityError:
                continue
        raise RuntimeError(f"{event.id}: version conflicts did not settle")

    # -- helpers -------------------------------------------------------------------------------
    def _ticket(self, number: str) -> TicketClocks:
        try:
            return self.repository.get(contracts.ticket_id_for(number))
        except AggregateNotFoundError:
            raise Refused(404, "unknown_ticket", f"sla-timer knows no ticket {number}") from None

    def _outage(self, ticket_id: UUID) -> ServiceOutage | None:
        try:
            return self.repository.get(outage_id_for(ticket_id))
        except AggregateNotFoundError:
            return None

    def _window(self, window_id: UUID) -> MaintenanceRecord | None:
        try:
            return self.repository.get(window_id)
        except AggregateNotFoundError:
            return None

    def _outage_customers(self, clocks: TicketClocks, customers: list[str] | None) -> tuple[list[str], bool]:
        if customers:
            if [c.lower() for c in customers] == ["all"]:
                return [], True
            return sorted({c.strip() for c in customers if c.strip()}), False
        customer = getattr(clocks, "customer", None)
        if not customer:
            raise Refused(409, "customer_unknown", f"{clocks.ticket_number} was opened before "
                          "sla-timer kept tickets' customers: name them (--customers)")
        return [customer], False

    def _saved(self, outage: ServiceOutage) -> bool:
        try:
            self.save(outage, spans=[span_of(outage.as_outage())])  # type: ignore[attr-defined]
            return True
        except IntegrityError:
            return False


def restored_at(clocks: TicketClocks) -> datetime | None:
    """The ticket's first work-around or resolution, if any."""
    return min((c.at for c in clocks.changes if c.kind in RESTORED), default=None)


def _utc(instant: datetime | None) -> Any:
    """Instants are kept in UTC (an instant without a zone is refused upstream)."""
    return instant.astimezone(timezone.utc) if instant is not None else None


def _check(number: str, start: datetime, end: datetime | None) -> None:
    if end is not None and end <= start:
        raise Refused(409, "bad_interval", f"{number}: the outage would end "
                      f"({end.isoformat()}) at or before it starts ({start.isoformat()})")
