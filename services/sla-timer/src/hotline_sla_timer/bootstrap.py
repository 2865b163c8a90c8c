"""Composition root of sla-timer: ticket-event consumer and its lag, firing loop, relay, the
maintenance-window consumer and the automatic month close; `serve()` runs it."""

from __future__ import annotations

import asyncio

from opentelemetry.metrics import Observation

from hotline import telemetry, wiring
from hotline.audit.anchor import anchor_task
from hotline.calendar import SupportCalendar
from hotline.clock import clock_from_settings
from hotline.consumer import subscribe_tracked, subscribe_tracked_batch
from hotline.contracts import topics
from hotline.contracts.envelope import CloudEvent
from hotline.directory import DirectoryFile
from hotline.lag import ConsumerLag, observe
from hotline.runtime import ServiceRuntime
from hotline_sla_timer import board
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.availability.closing import MonthCloser
from hotline_sla_timer.availability.reports import AvailabilityPolicy
from hotline_sla_timer.entrypoints.firing import FiringLoop
from hotline_sla_timer.entrypoints.http import create_http_app
from hotline_sla_timer.publication import to_cloud_event
from hotline_sla_timer.settings import SlaTimerSettings

GROUP = "hotline-sla-timer"


def build(settings: SlaTimerSettings | None = None) -> ServiceRuntime:
    settings = settings or SlaTimerSettings()
    wired = wiring.Wiring(settings)
    directory = DirectoryFile(settings.directory_file)
    availability = AvailabilityPolicy(
        rule=settings.maintenance_rule(), targets=settings.availability_targets(),
        customers=lambda: [c.name for c in directory.current().customers])
    app = SlaTimerApplication(env=wired.event_store_env(), clock=clock_from_settings(settings),
                              availability=availability)

    async def take(event: CloudEvent) -> None:
        await asyncio.to_thread(app.take, event)

    async def take_batch(events: list[CloudEvent]) -> None:
        await asyncio.to_thread(app.take_batch, events)

    async def take_maintenance(event: CloudEvent) -> None:
        await asyncio.to_thread(app.take_maintenance, event)

    lag = ConsumerLag(settings.kafka_bootstrap, topics.TICKETS, GROUP)
    # Batches: one transaction and one offset commit per poll, not per message (arming a backlog).
    subscribe_tracked_batch(wired.broker, topic=topics.TICKETS, group_id=GROUP,
                            apply_batch=take_batch, apply=take, on_consumed=lag.consumed,
                            max_record_bytes=settings.kafka_max_record_bytes)
    # An RFO emailed by notifier stops the RFO clock when it is sent. In batches too: a surge
    # brings one confirmation sent per ticket, which only needs tracking.
    subscribe_tracked_batch(wired.broker, topic=topics.NOTIFICATIONS, group_id=f"{GROUP}-notifications",
                            apply_batch=take_batch, apply=take,
                            max_record_bytes=settings.kafka_max_record_bytes)
    # Maintenance windows, kept in sla-timer's own log (availability excludes them by rule).
    subscribe_tracked(wired.broker, topic=topics.MAINTENANCE, group_id=f"{GROUP}-maintenance",
                      apply=take_maintenance, max_record_bytes=settings.kafka_max_record_bytes)
    runtime = wired.runtime(create_http_app(app))
    board.install(runtime, app, lambda: wired.pool)  # GET /board: the live SLA board
    if settings.availability_auto_close:
        closer = MonthCloser(app, SupportCalendar.from_settings(), settings.database_url,
                             tick_seconds=settings.availability_tick_seconds)
        runtime.add_task("month-close", closer.run)
    runtime.add_task("relay", wired.relay_task(app, topics.SLA, to_cloud_event, recent=app.recent))
    runtime.add_task("audit-anchor", anchor_task(wired, app))
    firing = FiringLoop(app, settings.database_url, batch_size=settings.fire_batch_size,
                        tick_seconds=settings.tick_seconds, kill_mid_batch=settings.fault_kill_mid_batch,
                        lag=lag, hold_seconds=settings.lag_hold_seconds)
    runtime.add_task("firing", firing.run)
    runtime.add_task("ticket-lag", lag.run)
    runtime.add_info("ticket_lag", lambda: {**lag.snapshot(), "firing_held": firing.held_since is not None})
    _instruments(lag, firing)
    return runtime


def _instruments(lag: ConsumerLag, firing: FiringLoop) -> None:
    observe(lag)  # hotline_consumer_lag_records{topic="hotline.tickets.v1",group="hotline-sla-timer"}
    meter = telemetry.meter("hotline.sla_timer")
    meter.create_observable_gauge(
        "hotline_sla_firing_held", description="1 while due timers wait for the ticket consumer",
        callbacks=[lambda _: [Observation(int(firing.held_since is not None))]])


def serve() -> None:
    wiring.serve(build)
