"""Outage records, maintenance windows and reported months: what availability is computed from.

- `ServiceOutage`: a P1 or P2 ticket marked as a service outage (one per ticket, its id derived
  from the ticket's). `Recorded` once; every later change is a `Corrected` event carrying the
  record as it then stands (recorded again with other values, or ended).
- `MaintenanceRecord`: a maintenance window as notifier published it on `hotline.maintenance.v1`
  (id = the window's id), each event kept as `Seen` with the window after it, so reports are
  rebuilt from sla-timer's own log.
- `AvailabilityReport`: a closed month's figure for one customer and class; its id derives from
  (customer, class, month), so a month is reported once however often it is closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from hotline.sla.availability import MaintenanceWindow, Outage

OUTAGE_NAMESPACE = uuid5(NAMESPACE_URL, "https://hotline.example/outages")
REPORT_NAMESPACE = uuid5(NAMESPACE_URL, "https://hotline.example/availability-reports")


def outage_id_for(ticket_id: UUID) -> UUID:
    return uuid5(OUTAGE_NAMESPACE, str(ticket_id))


def report_id_for(customer: str, service_class: str, month: str) -> UUID:
    return uuid5(REPORT_NAMESPACE, f"{customer}\n{service_class}\n{month}")


class ServiceOutage(Aggregate):
    @staticmethod
    def create_id(ticket_id: UUID, **_: Any) -> UUID:
        return outage_id_for(ticket_id)

    @event("Recorded")
    def __init__(self, ticket_id: UUID, ticket_number: str, priority: int, service_class: str,
                 cause: str, starts_at: datetime, ends_at: datetime | None, customers: list[str],
                 all_customers: bool, recorded_at: datetime,
                 actor: dict[str, str] | None = None) -> None:
        self.ticket_id = ticket_id
        self.ticket_number = ticket_number
        self.priority = priority
        self._set(service_class, cause, starts_at, ends_at, customers, all_customers)

    def correct(self, correction: str, **record: Any) -> None:
        """`correction`: `recorded-again`, `ended` or `restored`; `record`: the record after it (each event
        names the ticket, so it reads on its own)."""
        self._corrected(correction=correction, ticket_id=self.ticket_id,
                        ticket_number=self.ticket_number, **record)

    @event("Corrected")
    def _corrected(self, correction: str, ticket_id: UUID, ticket_number: str, service_class: str,
                   cause: str, starts_at: datetime, ends_at: datetime | None, customers: list[str],
                   all_customers: bool, recorded_at: datetime, priority: int,
                   actor: dict[str, str] | None = None) -> None:
        self.priority = priority
        self._set(service_class, cause, starts_at, ends_at, customers, all_customers)

    def _set(self, service_class: str, cause: str, starts_at: datetime, ends_at: datetime | None,
             customers: list[str], all_customers: bool) -> None:
        self.service_class = service_class
        self.cause = cause
        self.starts_at = starts_at
        self.ends_at = ends_at
        self.customers = list(customers)
        self.all_customers = all_customers

    def as_outage(self) -> Outage:
        return Outage(id=str(self.id), start=self.starts_at, end=self.ends_at,
                      service_class=self.service_class, cause=self.cause,
                      customers=tuple(self.customers), all_customers=self.all_customers,
                      ticket_number=self.ticket_number)


class MaintenanceRecord(Aggregate):
    @staticmethod
    def create_id(window_id: UUID, **_: Any) -> UUID:
        return window_id

    @event("Seen")
    def __init__(self, window_id: UUID, kind: str, starts_at: datetime, ends_at: datetime,
                 services: list[str], customers: list[str], all_customers: bool, emergency: bool,
                 announced_at: datetime, completed_at: datetime | None = None) -> None:
        self.status = ""
        self._seen(kind, starts_at, ends_at, services, customers, all_customers, emergency,
                   announced_at, completed_at)

    @event("Changed")
    def seen(self, kind: str, starts_at: datetime, ends_at: datetime, services: list[str],
             customers: list[str], all_customers: bool, emergency: bool, announced_at: datetime,
             completed_at: datetime | None = None) -> None:
        """Another event of the window: `kind` is its contract's (`rescheduled`, `cancelled`,
        ...); `announced_at` when its current times were (last) announced."""
        self._seen(kind, starts_at, ends_at, services, customers, all_customers, emergency,
                   announced_at, completed_at)

    def _seen(self, kind: str, starts_at: datetime, ends_at: datetime, services: list[str],
              customers: list[str], all_customers: bool, emergency: bool, announced_at: datetime,
              completed_at: datetime | None) -> None:
        self.status = kind
        self.starts_at, self.ends_at = starts_at, ends_at
        self.services, self.customers = list(services), list(customers)
        self.all_customers, self.emergency = all_customers, emergency
        self.announced_at = announced_at
        self.completed_at = completed_at or getattr(self, "completed_at", None)

    def as_window(self) -> MaintenanceWindow:
        end = self.ends_at
        if self.completed_at is not None and self.starts_at < self.completed_at < end:
            end = self.completed_at  # finished early: the rest was no maintenance
        return MaintenanceWindow(
            id=str(self.id), start=self.starts_at, end=end, services=tuple(self.services),
            customers=tuple(self.customers), all_customers=self.all_customers,
            emergency=self.emergency, notice=max(self.starts_at - self.announced_at, timedelta(0)),
            cancelled=self.status == "cancelled")


class AvailabilityReport(Aggregate):
    @staticmethod
    def create_id(customer: str, service_class: str, month: str, **_: Any) -> UUID:
        return report_id_for(customer, service_class, month)

    @event("Reported")
    def __init__(self, customer: str, service_class: str, month: str, figure: dict[str, Any],
                 outage_ids: list[str], reported_at: datetime) -> None:
        """`figure`: the kernel's `Figure.as_json()` at closing."""
        self.customer = customer
        self.service_class = service_class
        self.month = month
        self.figure = figure
        self.outage_ids = outage_ids
        self.reported_at = reported_at
