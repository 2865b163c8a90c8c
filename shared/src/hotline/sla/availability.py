"""Availability SLAs (the contract's Core Services 99.99 %, Supporting Services 98 %): monthly
figures from outage records and maintenance windows.

Pure and I/O-free. Instants are aware datetimes; months are calendar months in Pacific time
(`America/Los_Angeles`), so a month's seconds are counted between its aware start and end in
UTC: November has 30 days + 1 hour when DST ends in it, March 31 days − 1 hour.

A customer's downtime in a month, for one service class, is the union of the outages that
affect it (overlaps merged, never double-counted), clipped to the month (an outage crossing a
boundary is split there), less the maintenance windows the `MaintenanceRule` excludes. Causes
a class does not count (`carrier-connectivity` for core: "Core services do not include carrier
connectivity outages") are kept and reported separately, never in the figure.

Rounding: `availability` is shown to four decimal places rounded *down*, so a figure never
reads better than it is. `met` is decided exactly, never on the rounded figure:
downtime ≤ (100 − target) / 100 × seconds in the month (99.99 % of 30 days: 259.2 s).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_DOWN, Decimal
from typing import Any, Literal
from zoneinfo import ZoneInfo

PACIFIC = ZoneInfo("America/Los_Angeles")
UTC = timezone.utc
ServiceClass = Literal["core", "supporting"]
SERVICE_CLASSES: tuple[ServiceClass, ...] = ("core", "supporting")
Cause = Literal["platform", "carrier-connectivity", "customer", "third-party", "maintenance"]
CAUSES: tuple[str, ...] = ("platform", "carrier-connectivity", "customer", "third-party", "maintenance")
TARGETS: dict[str, Decimal] = {"core": Decimal("99.99"), "supporting": Decimal("98")}
NOT_COUNTED: dict[str, frozenset[str]] = {"core": frozenset({"carrier-connectivity"}),
                                          "supporting": frozenset()}
"""Causes kept out of a class's figure (and reported beside it)."""
FOUR_PLACES = Decimal("0.0001")
Interval = tuple[datetime, datetime]


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month in Pacific time: `Month.parse("2026-12")`."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        try:
            year, month = (int(part) for part in text.split("-"))
        except ValueError:
            raise ValueError(f"{text!r} is not a month like 2026-12") from None
        if not 1 <= month <= 12 or not 1970 <= year <= 9998:
            raise ValueError(f"{text!r} is not a month like 2026-12")
        return cls(year, month)

    @classmethod
    def of(cls, instant: datetime) -> Month:
        """The month an instant falls in, in Pacific time."""
        local = _aware(instant).astimezone(PACIFIC)
        return cls(local.year, local.month)

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=PACIFIC).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return self.next().start

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Outage:
    """An outage record: a ticket marked as a service outage of one class. `end` None: still
    open (counted up to `now`, or to the month's end)."""

    id: str
    start: datetime
    end: datetime | None
    service_class: str
    cause: str
    customers: tuple[str, ...] = ()
    all_customers: bool = False
    ticket_number: str | None = None

    def affects(self, customer: str, service_class: str) -> bool:
        return self.service_class == service_class and (self.all_customers or customer in self.customers)


@dataclass(frozen=True)
class MaintenanceWindow:
    """A maintenance window as notifier published it; `notice` is how long before its start it
    was (last) scheduled. A cancelled window never counts."""

    id: str
    start: datetime
    end: datetime
    services: tuple[str, ...]
    customers: tuple[str, ...] = ()
    all_customers: bool = False
    emergency: bool = False
    notice: timedelta = timedelta(0)
    cancelled: bool = False

    def affects(self, customer: str, service_class: str) -> bool:
        return (not self.cancelled and service_class in self.services
                and (self.all_customers or customer in self.customers))


@dataclass(frozen=True)
class MaintenanceRule:
    """Which maintenance is excluded from downtime. Planned = not emergency and announced at
    least `minimum_notice` ahead; anything else counts as emergency maintenance."""

    exclude_planned: bool = True
    minimum_notice: timedelta = timedelta(hours=24)
    exclude_emergency: bool = False

    def planned(self, window: MaintenanceWindow) -> bool:
        return not window.emergency and window.notice >= self.minimum_notice

    def excludes(self, window: MaintenanceWindow) -> bool:
        return self.exclude_planned if self.planned(window) else self.exclude_emergency

    def describe(self) -> str:
        hours = self.minimum_notice.total_seconds() / 3600
        planned = f"planned maintenance (announced ≥ {hours:g} h ahead) " + (
            "excluded" if self.exclude_planned else "counted")
        emergency = "emergency maintenance " + ("excluded" if self.exclude_emergency else "counted")
        return f"{planned}; {emergency}"


# -- intervals ------------------------------------------------------------------------------------
def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, overlapping or touching intervals joined; empty ones dropped."""
    merged: list[Interval] = []
    for start, end in sorted((s, e) for s, e in intervals if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """Each interval's part within [start, end)."""
    return [(max(s, start), min(e, end)) for s, e in intervals if min(e, end) > max(s, start)]


def subtract(intervals: Iterable[Interval], removed: Iterable[Interval]) -> list[Interval]:
    """What of `intervals` (merged) lies outside `removed`."""
    holes = merge(removed)
    left: list[Interval] = []
    for start, end in merge(intervals):
        for hole_start, hole_end in holes:
            if hole_end <= start or hole_start >= end:
                continue
            if hole_start > start:
                left.append((start, hole_start))
            start = max(start, hole_end)
            if start >= end:
                break
        if start < end:
            left.append((start, end))
    return left


def seconds(intervals: Iterable[Interval]) -> Decimal:
    """Total length in seconds, exact to the microsecond."""
    total = sum(((e - s) for s, e in intervals), timedelta(0))
    return Decimal(total // timedelta(microseconds=1)) / 1_000_000


# -- figures ----------------------------------------------------------------------------------
def availability_percent(downtime: Decimal, seconds_in_month: int) -> Decimal:
    """(1 − downtime / month) × 100, to four places rounded down."""
    up = (Decimal(seconds_in_month) - downtime) * 100 / Decimal(seconds_in_month)
    return max(up, Decimal(0)).quantize(FOUR_PLACES, rounding=ROUND_DOWN)


def allowed_downtime(target: Decimal, seconds_in_month: int) -> Decimal:
    """Downtime the target allows in the month: 259.2 s at 99.99 % of 30 days."""
    return (100 - target) * seconds_in_month / 100


@dataclass(frozen=True)
class CountedOutage:
    """An outage as a figure shows it: its record and its part within the month."""

    outage: Outage
    start: datetime
    end: datetime

    def as_json(self) -> dict[str, Any]:
        o = self.outage
        return {"id": o.id, "ticket_number": o.ticket_number, "cause": o.cause,
                "start": o.start.isoformat(), "end": o.end.isoformat() if o.end else None,
                "in_month_start": self.start.isoformat(), "in_month_end": self.end.isoformat(),
                "seconds_in_month": _number(seconds([(self.start, self.end)]))}


@dataclass(frozen=True)
class Figure:
    """One customer's availability for one service class in one month."""

    customer: str
    service_class: str
    month: Month
    seconds_in_month: int
    downtime_seconds: Decimal
    availability: Decimal
    target: Decimal
    met: bool
    maintenance_rule: str
    outages: tuple[CountedOutage, ...] = ()
    excluded_maintenance_seconds: Decimal = Decimal(0)
    excluded_maintenance: tuple[str, ...] = ()
    not_counted: tuple[CountedOutage, ...] = field(default=())
    not_counted_seconds: Decimal = Decimal(0)

    @property
    def allowed_downtime_seconds(self) -> Decimal:
        return allowed_downtime(self.target, self.seconds_in_month)

    def as_json(self) -> dict[str, Any]:
        return {
            "class": self.service_class, "customer": self.customer, "month": str(self.month),
            "seconds_in_month": self.seconds_in_month,
            "downtime_seconds": _number(self.downtime_seconds),
            "availability": f"{self.availability:.4f}", "target": f"{self.target:f}",
            "met": self.met, "allowed_downtime_seconds": _number(self.allowed_downtime_seconds),
            "maintenance_rule": self.maintenance_rule,
            "outages": [o.as_json() for o in self.outages],
            "excluded_maintenance": {"seconds": _number(self.excluded_maintenance_seconds),
                                     "windows": list(self.excluded_maintenance)},
            "carrier_connectivity": {"downtime_seconds": _number(self.not_counted_seconds),
                                     "outages": [o.as_json() for o in self.not_counted]},
        }


def figure(customer: str, service_class: str, month: Month, outages: Sequence[Outage],
           windows: Sequence[MaintenanceWindow], rule: MaintenanceRule,
           target: Decimal | None = None, now: datetime | None = None) -> Figure:
    """The month's figure for `customer` and `service_class`. An open outage runs to `now`
    (or to the month's end when `now` is None or later)."""
    target = TARGETS[service_class] if target is None else target
    start, end = month.start, month.end
    open_until = min(_aware(now), end) if now is not None else end
    mine = [o for o in outages if o.affects(customer, service_class)]
    excluded = [w for w in windows if w.affects(customer, service_class) and rule.excludes(w)]
    holes = clip(((_aware(w.start), _aware(w.end)) for w in excluded), start, end)
    skip = NOT_COUNTED.get(service_class, frozenset())
    counted = _within(month, [o for o in mine if o.cause not in skip], open_until)
    apart = _within(month, [o for o in mine if o.cause in skip], open_until)
    down = merge((c.start, c.end) for c in counted)
    downtime = seconds(subtract(down, holes))
    return Figure(
        customer=customer, service_class=service_class, month=month,
        seconds_in_month=month.seconds, downtime_seconds=downtime,
        availability=availability_percent(downtime, month.seconds), target=target,
        met=downtime <= allowed_downtime(target, month.seconds), maintenance_rule=rule.describe(),
        outages=tuple(counted), excluded_maintenance_seconds=seconds(down) - downtime,
        excluded_maintenance=tuple(w.id for w in excluded if clip([(w.start, w.end)], start, end)),
        not_counted=tuple(apart),
        not_counted_seconds=seconds(subtract(merge((c.start, c.end) for c in apart), holes)),
    )


def _within(month: Month, outages: Iterable[Outage], open_until: datetime) -> list[CountedOutage]:
    counted = []
    for outage in sorted(outages, key=lambda o: (_aware(o.start), o.id)):
        end = _aware(outage.end) if outage.end is not None else open_until
        for s, e in clip([(_aware(outage.start), end)], month.start, month.end):
            counted.append(CountedOutage(outage, s, e))
    return counted


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"instants must be timezone-aware: {instant!r}")
    return instant.astimezone(UTC)


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
