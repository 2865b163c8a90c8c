"""Composition root of notifier: consumer, dispatcher and relay; `serve()` runs it."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from hotline import wiring
from hotline.clock import clock_from_settings
from hotline.consumer import subscribe_tracked
from hotline.contracts import topics
from hotline.contracts.envelope import CloudEvent
from hotline.follower import LogPositions
from hotline.runtime import ServiceRuntime
from hotline.telemetry import current_trace_context
from hotline_notifier.adapters.smtp import SmtpSender
from hotline_notifier.application import NotifierApplication
from hotline_notifier.dispatcher import Dispatcher
from hotline_notifier.publication import to_cloud_event
from hotline_notifier.settings import NotifierSettings


def build(settings: NotifierSettings | None = None) -> ServiceRuntime:
    settings = settings or NotifierSettings()
    wired = wiring.Wiring(settings)
    app = NotifierApplication(env=wired.event_store_env())
    clock = clock_from_settings(settings)

    async def take(event: CloudEvent) -> None:
        await asyncio.to_thread(app.take, event, current_trace_context())

    subscribe_tracked(wired.broker, topic=topics.TICKETS, group_id="hotline-notifier", apply=take,
                      max_record_bytes=settings.kafka_max_record_bytes)
    http = FastAPI(title="Hotline notifier", version="1.0.0",
                   description="Confirmations, replies and (later) escalations and maintenance notices.")
    runtime = wired.runtime(http)
    runtime.add_task("relay", wired.relay_task(app, topics.NOTIFICATIONS, to_cloud_event))
    sender = SmtpSender(settings.smtp_url, settings.from_address)

    async def dispatch() -> None:
        assert wired.pool is not None
        await Dispatcher(app, sender, LogPositions(wired.pool, settings.schema), clock,
                         settings.max_backoff_seconds).run()

    runtime.add_task("dispatcher", dispatch)
    return runtime


def serve() -> None:
    wiring.serve(build)
