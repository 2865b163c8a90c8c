"""sla-timer's availability read model on the real PostgreSQL: rows written in the same
transaction as outage and maintenance events; the table deleted and rebuilt from the log gives
the same report; a maintenance event redelivered is kept once; a month closed by two instances
at once is reported once per customer and class."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from uuid import uuid4

import psycopg
import pytest

from hotline import contracts
from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import ensure_schema, postgres_env
from hotline.sla.availability import Month
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.availability.reports import AvailabilityPolicy
from hotline_sla_timer.domain.outages import AvailabilityReport

pytestmark = pytest.mark.integration
UTC = timezone.utc
OPENED = datetime.fromisoformat("2026-12-09T10:00:00-08:00")
DECEMBER = Month.parse("2026-12")
_positions = iter(range(1, 10**9))


def event(data: contracts.EventBody, source: str = "intake") -> CloudEvent:
    return CloudEvent(id=str(uuid4()), source=f"/hotline/{source}", type=data.ce_type,
                      time=datetime.now(UTC), subject="x", position=next(_positions), data=data)


def opened(number: str, customer: str) -> CloudEvent:
    return event(contracts.TicketOpened(
        ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer=customer,
        location="x", issue="i", description="d", priority=1, channel="http",
        contact="noc@acme.example", received_at=OPENED, off_hours=False))


def make_app(url: str, schema: str, clock: FixedClock) -> SlaTimerApplication:
    ensure_schema(url, schema)
    return SlaTimerApplication(env=postgres_env(url, schema), clock=clock, availability=AvailabilityPolicy(
        customers=lambda: ["Acme Corp", "Globex Telecom"]))


def history(app: SlaTimerApplication) -> None:
    app.take(opened("T-100001", "Acme Corp"))
    app.take(opened("T-100002", "Globex Telecom"))
    app.take(opened("T-100003", "Acme Corp"))
    app.record_outage("T-100001", "core", "platform", ends_at=OPENED + timedelta(minutes=4, seconds=19))
    app.record_outage("T-100002", "core", "platform", ends_at=OPENED + timedelta(minutes=4, seconds=28))
    app.record_outage("T-100003", "supporting", "third-party", customers=["all"],
                      starts_at=datetime.fromisoformat("2026-11-30T22:00:00-08:00"))
    app.end_outage("T-100003", datetime.fromisoformat("2026-12-01T03:00:00-08:00"))
    maintenance = event(contracts.MaintenanceScheduled(
        window_id=uuid4(), starts_at=OPENED, ends_at=OPENED + timedelta(minutes=1), services=["core"],
        customers=["Acme Corp"], all_customers=False, emergency=False, reason="r",
        scheduled_at=OPENED - timedelta(days=3)), source="notifier")
    assert app.take_maintenance(maintenance) and not app.take_maintenance(maintenance)


async def test_the_read_model_deleted_and_rebuilt_from_the_log_gives_the_same_report(infra, schema):
    clock = FixedClock(OPENED + timedelta(hours=1))
    app = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    await asyncio.to_thread(history, app)
    before = [f.as_json() for f in app.figures(DECEMBER)]
    acme_core = next(f for f in before if f["customer"] == "Acme Corp" and f["class"] == "core")
    assert (acme_core["downtime_seconds"], acme_core["met"]) == (199, True)  # 60 s planned maintenance
    globex_supporting = next(f for f in before if f["customer"] == "Globex Telecom" and f["class"] == "supporting")
    assert globex_supporting["downtime_seconds"] == 3 * 3600  # split at the month boundary
    with psycopg.connect(infra.database_url, autocommit=True) as conn:
        conn.execute(f'DROP TABLE "{schema}".sla_timer_availability')
    fresh = await asyncio.to_thread(make_app, infra.database_url, schema, clock)  # creates it again
    assert all(f.downtime_seconds == 0 for f in fresh.figures(DECEMBER))
    assert await asyncio.to_thread(fresh.rebuild_availability) == 4
    assert [f.as_json() for f in fresh.figures(DECEMBER)] == before
    assert fresh.figures(Month.parse("2026-11"), "Acme Corp")[1].downtime_seconds == 7200


async def test_a_month_closed_by_two_instances_at_once_is_reported_once(infra, schema):
    clock = FixedClock(OPENED)
    first = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    await asyncio.to_thread(history, first)
    second = await asyncio.to_thread(make_app, infra.database_url, schema, clock)
    clock.set(datetime.fromisoformat("2027-01-04T09:00:00-08:00"))
    made = await asyncio.gather(*(asyncio.to_thread(a.close_month, DECEMBER) for a in (first, second)))
    assert sum(len(m) for m in made) == 4
    reports = [e for n in first.recorder.select_notifications(1, 10_000)
               if isinstance(e := first.mapper.to_domain_event(n), AvailabilityReport.Reported)]
    assert sorted((r.customer, r.service_class, r.figure["met"]) for r in reports) == [
        ("Acme Corp", "core", True), ("Acme Corp", "supporting", True),
        ("Globex Telecom", "core", False), ("Globex Telecom", "supporting", True)]
