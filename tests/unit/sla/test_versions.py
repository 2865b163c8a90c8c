"""A stored policy or calendar version rebuilds exactly the policy and calendar it came from."""

from __future__ import annotations

from datetime import datetime, timezone

from hotline import versions
from hotline.calendar import CalendarRules, SupportCalendar
from hotline.sla import SlaPolicy, SlaSettings

MONDAY_9 = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)


def test_stored_versions_rebuild_the_same_policy_and_calendar():
    calendar = SupportCalendar(CalendarRules(holiday_observance="us-federal", business_days=(0, 1, 2, 3)))
    policy = SlaPolicy.from_settings(SlaSettings(reopen="restart", p3_resolution="12d support",
                                                 rfo_warnings="50,80"), calendar)
    registry = versions.VersionRegistry()
    for kind, version, data in versions.in_force(policy, calendar):
        registry.record(kind, version, data, MONDAY_9, "test")
    rebuilt = versions.policy_for(registry, policy.version, calendar.version)
    assert rebuilt is not None
    assert (rebuilt.version, rebuilt.calendar.version) == (policy.version, calendar.version)
    assert rebuilt.canonical() == policy.canonical()
    assert versions.policy_for(registry, "unknown", calendar.version) is None
