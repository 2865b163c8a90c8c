"""Composition root of sla-timer: ticket-event consumer, firing loop, relay; `serve()` runs it."""

from __future__ import annotations

import asyncio

from hotline import wiring
from hotline.clock import clock_from_settings
from hotline.consumer import subscribe_tracked_batch
from hotline.contracts import topics
from hotline.contracts.envelope import CloudEvent
from hotline.runtime import ServiceRuntime
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.entrypoints.firing import FiringLoop
from hotline_sla_timer.entrypoints.http import create_http_app
from hotline_sla_timer.publication import to_cloud_event
from hotline_sla_timer.settings import SlaTimerSettings


def build(settings: SlaTimerSettings | None = None) -> ServiceRuntime:
    settings = settings or SlaTimerSettings()
    wired = wiring.Wiring(settings)
    app = SlaTimerApplication(env=wired.event_store_env(), clock=clock_from_settings(settings))

    async def take(event: CloudEvent) -> None:
        await asyncio.to_thread(app.take, event)

    async def take_batch(events: list[CloudEvent]) -> None:
        await asyncio.to_thread(app.take_batch, events)

    # Batches: one transaction and one offset commit per poll, not per message (arming a backlog).
    subscribe_tracked_batch(wired.broker, topic=topics.TICKETS, group_id="hotline-sla-timer",
                            apply_batch=take_batch, apply=take)
    runtime = wired.runtime(create_http_app(app))
    runtime.add_task("relay", wired.relay_task(app, topics.SLA, to_cloud_event, recent=app.recent))
    firing = FiringLoop(app, settings.database_url, batch_size=settings.fire_batch_size,
                        tick_seconds=settings.tick_seconds, kill_mid_batch=settings.fault_kill_mid_batch)
    runtime.add_task("firing", firing.run)
    return runtime


def serve() -> None:
    wiring.serve(build)
