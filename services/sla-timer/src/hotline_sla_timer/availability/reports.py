"""Monthly availability figures, month closing and the read model's rebuild.

- `figures(month, customer)`: per customer and service class, from the read model's rows that
  overlap the month, computed by the kernel (`hotline.sla.availability`) under the maintenance
  rule in force. Without a customer: every customer in the directory and every customer an
  outage or window of the month names.
- `close_month(month)`: once the month is over, one `AvailabilityReport` per customer and class
  (published as `hotline.sla.availability-reported.v1`); its id derives from the three, so a
  month is reported once, however often, or by however many instances, it is closed. A later
  correction shows in `figures`, never in a second report.
- `due_to_close(now)`: the month the automatic close owes: the previous one, from the first
  business day after it (the support calendar's first open instant of the month) on.
- `rebuild_availability()`: drops the read model and rewrites it from outage and maintenance
  events alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from eventsourcing.persistence import IntegrityError

from hotline.calendar import SupportCalendar
from hotline.sla.availability import (
    SERVICE_CLASSES,
    TARGETS,
    Figure,
    MaintenanceRule,
    MaintenanceWindow,
    Month,
    Outage,
    figure,
)
from hotline_sla_timer.adapters.availability_rows import span_of
from hotline_sla_timer.availability import Refused
from hotline_sla_timer.domain.outages import (
    AvailabilityReport,
    MaintenanceRecord,
    ServiceOutage,
    report_id_for,
)

SPAN_AGGREGATES = (ServiceOutage, MaintenanceRecord)


@dataclass
class AvailabilityPolicy:
    """The settings a figure depends on: the maintenance rule, the targets, the directory."""

    rule: MaintenanceRule = field(default_factory=MaintenanceRule)
    targets: dict[str, Decimal] = field(default_factory=lambda: dict(TARGETS))
    customers: Callable[[], list[str]] = list


class AvailabilityReports:
    """Mixin for `SlaTimerApplication`."""

    availability: AvailabilityPolicy
    repository: Any
    recorder: Any
    clock: Any

    def figures(self, month: Month, customer: str | None = None) -> list[Figure]:
        items = [row.read() for row in self.recorder.spans_overlapping(month.start, month.end)]
        outages = [i for i in items if isinstance(i, Outage)]
        windows = [i for i in items if isinstance(i, MaintenanceWindow)]
        customers = [customer] if customer else self._month_customers(outages, windows)
        now = self.clock.now()
        return [figure(c, cls, month, outages, windows, self.availability.rule,
                       self.availability.targets[cls], now=now)
                for c in customers for cls in SERVICE_CLASSES]

    def reported(self, customer: str, service_class: str, month: Month) -> bool:
        return report_id_for(customer, service_class, str(month)) in self.repository

    def close_month(self, month: Month) -> list[AvailabilityReport]:
        """Report the month for every customer and class not reported yet; returns the new
        reports (none: it had been closed)."""
        now = self.clock.now()
        if now < month.end:
            raise Refused(409, "month_not_over", f"{month} is not over until "
                          f"{month.end.isoformat()}")
        due = [f for f in self.figures(month) if not self.reported(f.customer, f.service_class, month)]
        reports = [_report(f, now) for f in due]
        try:
            self.save(*reports)  # type: ignore[attr-defined]
            return reports
        except IntegrityError:  # another instance closed some meanwhile: the rest one by one
            return [r for f in due if (r := self._saved_alone(f, now)) is not None]

    def due_to_close(self, now: datetime, calendar: SupportCalendar) -> Month | None:
        current = Month.of(now)
        return current.previous() if now >= calendar.next_open(current.start) else None

    def rebuild_availability(self) -> int:
        """Rewrite the read model from the event log; returns its row count."""
        rows = []
        for aggregate_id in self._span_ids():
            aggregate = self.repository.get(aggregate_id)
            rows.append(span_of(aggregate.as_outage() if isinstance(aggregate, ServiceOutage)
                                else aggregate.as_window()))
        self.recorder.replace_spans(rows)
        return len(rows)

    def _span_ids(self) -> list[Any]:
        topics = tuple(f"{cls.__module__}:{cls.__qualname__}." for cls in SPAN_AGGREGATES)
        ids: dict[Any, None] = {}
        last = 0
        while page := self.recorder.select_notifications(last + 1, 1000):
            ids.update((n.originator_id, None) for n in page if n.topic.startswith(topics))
            last = page[-1].id
        return list(ids)

    def _month_customers(self, outages: list[Outage], windows: list[MaintenanceWindow]) -> list[str]:
        named = {c for item in (*outages, *windows) for c in item.customers}
        return sorted(set(self.availability.customers()) | named)

    def _saved_alone(self, f: Figure, now: datetime) -> AvailabilityReport | None:
        if self.reported(f.customer, f.service_class, f.month):
            return None
        report = _report(f, now)  # a new one: the failed save took the other's pending events
        try:
            self.save(report)  # type: ignore[attr-defined]
            return report
        except IntegrityError:
            return None


def _report(f: Figure, now: datetime) -> AvailabilityReport:
    return AvailabilityReport(customer=f.customer, service_class=f.service_class, month=str(f.month),
                              figure=f.as_json(), outage_ids=[o.outage.id for o in f.outages],
                              reported_at=now)
