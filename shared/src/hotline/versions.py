"""Every SLA policy and support calendar version a service has run with, kept as events.

A ticket records the versions in force when it was opened; after a settings change it must
still be evaluated under its own. `VersionRegistry` is one aggregate per service store: the
first time a service runs with a version it appends `Recorded` (kind, version, the data that
rebuilds it, when and by whom it was first seen). `record_in_force` does that at start-up;
`SlaPolicy`s of any recorded pair come back with `policy_for(...)`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from hotline.calendar import CalendarRules, SupportCalendar
from hotline.sla import SlaPolicy, SlaSettings

log = logging.getLogger(__name__)

REGISTRY_ID = uuid5(NAMESPACE_URL, "https://hotline.example/versions")
POLICY, CALENDAR = "sla-policy", "calendar"


@dataclass(frozen=True)
class RecordedVersion:
    kind: str  # "sla-policy" | "calendar"
    version: str
    data: dict[str, Any]
    first_seen_at: datetime
    service: str


class VersionRegistry(Aggregate):
    @staticmethod
    def create_id(**_: Any) -> UUID:
        return REGISTRY_ID

    @event("Created")
    def __init__(self) -> None:
        self.versions: dict[tuple[str, str], RecordedVersion] = {}

    @event("Recorded")
    def record(self, kind: str, version: str, data: dict[str, Any], first_seen_at: datetime,
               service: str) -> None:
        self.versions[(kind, version)] = RecordedVersion(kind, version, data, first_seen_at, service)

    def knows(self, kind: str, version: str) -> bool:
        return (kind, version) in self.versions


def in_force(policy: SlaPolicy | None, calendar: SupportCalendar) -> list[tuple[str, str, dict[str, Any]]]:
    found = [(CALENDAR, calendar.version, calendar.rules.as_data())]
    if policy is not None:
        found.insert(0, (POLICY, policy.version, policy.settings()))
    return found


def record_in_force(app: Application, items: list[tuple[str, str, dict[str, Any]]], now: datetime,
                    service: str) -> VersionRegistry:
    """Append the versions not yet recorded; returns the registry (another instance racing to
    record the same ones is fine: the loser reloads and finds them)."""
    for _ in range(10):
        registry = load(app)
        new = [(kind, version, data) for kind, version, data in items if not registry.knows(kind, version)]
        if not new:
            return registry
        for kind, version, data in new:
            registry.record(kind, version, data, now, service)
            log.info("recorded %s version %s", kind, version)
        try:
            app.save(registry)
            return registry
        except IntegrityError:
            continue
    raise RuntimeError("could not record the versions in force: the registry kept changing")


def load(app: Application) -> VersionRegistry:
    try:
        return app.repository.get(REGISTRY_ID)
    except AggregateNotFoundError:
        return VersionRegistry()


def policy_for(registry: VersionRegistry, policy_version: str, calendar_version: str) -> SlaPolicy | None:
    """The policy of a recorded (policy, calendar) pair, or None if either is unknown."""
    policy = registry.versions.get((POLICY, policy_version))
    calendar = registry.versions.get((CALENDAR, calendar_version))
    if policy is None or calendar is None:
        return None
    rules = CalendarRules.from_data(calendar.data)
    return SlaPolicy.from_settings(SlaSettings(**policy.data), SupportCalendar(rules))
