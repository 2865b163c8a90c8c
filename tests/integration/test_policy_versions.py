"""Every SLA policy and calendar version is kept: a ticket opened under an older policy is still
evaluated under it after the settings changed and sla-timer restarted, and the versions list
says when each was first seen."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from hotline import contracts, versions
from hotline.calendar import CalendarRules, SupportCalendar
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import ensure_schema, postgres_env
from hotline.sla import SlaPolicy, SlaSettings
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.domain import deadlines

UTC = timezone.utc
MONDAY_9 = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 09:00 Pacific


def event(data: contracts.EventBody, position: int) -> CloudEvent:
    return CloudEvent(id=f"{data.ticket_id}:{position}", source="/hotline/intake", type=data.ce_type,
                      time=MONDAY_9, subject=data.ticket_number, position=position, data=data)


def opened(number: str) -> contracts.TicketOpened:
    return contracts.TicketOpened(
        ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer="Acme Corp",
        location="x", issue="i", description="d", priority=2, channel="http",
        contact="noc@acme.example", received_at=MONDAY_9, off_hours=False)


def response_due(app: SlaTimerApplication, number: str) -> datetime:
    clocks = app.clocks(contracts.ticket_id_for(number))
    timers = deadlines.pending_timers(clocks, app.policy_for(clocks), app.clock.now())
    return next(t.due_at for t in timers if t.clock == "response" and t.threshold == 100.0)


async def test_a_ticket_keeps_its_policy_and_calendar_across_a_settings_change(infra, schema):
    def scenario() -> None:
        ensure_schema(infra.database_url, schema)
        env = postgres_env(infra.database_url, schema)
        clock = FixedClock(MONDAY_9)
        before = SlaTimerApplication(env=env, clock=clock)
        before.take(event(opened("T-000001"), 1))
        assert response_due(before, "T-000001") == MONDAY_9 + timedelta(hours=8)  # 17:00

        # New settings: P2 responds in 4 support hours, on a calendar that opens at 09:00.
        clock.set(MONDAY_9 + timedelta(hours=1))
        calendar = SupportCalendar(CalendarRules(name="nine-to-six", opening=datetime.min.time().replace(hour=9)))
        policy = SlaPolicy.from_settings(SlaSettings(name="faster", p2_response="4h support"), calendar)
        after = SlaTimerApplication(env=env, clock=clock, policy=policy)
        after.take(event(opened("T-000002"), 2))
        after.take(event(contracts.WaitingOnCustomer(
            ticket_id=contracts.ticket_id_for("T-000001"), ticket_number="T-000001",
            at=MONDAY_9 + timedelta(hours=1)), 3))
        # The old ticket: still 8 support hours on the 08:00 calendar.
        assert response_due(after, "T-000001") == MONDAY_9 + timedelta(hours=8)
        old = after.clocks(contracts.ticket_id_for("T-000001"))
        assert (old.policy_version, old.calendar_version) == (before.policy.version, before.policy.calendar.version)
        # The new one, opened at 09:00 under the new settings: 4 support hours → 13:00.
        assert response_due(after, "T-000002") == MONDAY_9 + timedelta(hours=4)

        registry = versions.load(after)
        recorded = sorted((v.kind, v.version, v.first_seen_at) for v in registry.versions.values())
        assert recorded == sorted([
            ("sla-policy", before.policy.version, MONDAY_9), ("calendar", before.policy.calendar.version, MONDAY_9),
            ("sla-policy", policy.version, MONDAY_9 + timedelta(hours=1)),
            ("calendar", calendar.version, MONDAY_9 + timedelta(hours=1))])
        # Starting again with versions already recorded records nothing more.
        again = SlaTimerApplication(env=env, clock=FixedClock(MONDAY_9 + timedelta(days=1)), policy=policy)
        assert len(versions.load(again).versions) == 4

    await asyncio.to_thread(scenario)
