"""Composition root of notifier: consumer, dispatcher and relay; `serve()` runs it."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fastapi import FastAPI

from hotline import wiring
from hotline.audit.anchor import anchor_task
from hotline.clock import Clock, clock_from_settings
from hotline.consumer import subscribe_tracked, subscribe_tracked_batch
from hotline.contracts import topics
from hotline.contracts.envelope import CloudEvent
from hotline.directory import DirectoryFile
from hotline.follower import LogPositions
from hotline.runtime import ServiceRuntime
from hotline.telemetry import current_trace_context
from hotline_notifier.adapters.smtp import SmtpSender
from hotline_notifier.adapters.webhook import WebhookSender
from hotline_notifier.application import NotifierApplication
from hotline_notifier.delivery.dispatcher import Dispatcher
from hotline_notifier.delivery.relay_watch import RelayWatch, instruments
from hotline_notifier.domain.delivery import RetrySchedule
from hotline_notifier.entrypoints.http import notifications_router
from hotline_notifier.escalation.policy import load_policy
from hotline_notifier.maintenance import publication as maintenance_publication
from hotline_notifier.maintenance.http import maintenance_router
from hotline_notifier.maintenance.schedule import MaintenanceSchedule, NoticeRules
from hotline_notifier.maintenance.timer import MaintenanceTimer
from hotline_notifier.publication import PUBLISHED, to_cloud_event
from hotline_notifier.settings import NotifierSettings
from hotline_notifier import history


def build(settings: NotifierSettings | None = None) -> ServiceRuntime:
    settings = settings or NotifierSettings()
    wired = wiring.Wiring(settings)
    clock = clock_from_settings(settings)
    app = NotifierApplication(env=wired.event_store_env(), clock=clock,
                              escalations=load_policy(settings.escalation_file),
                              webhook_url=settings.webhook_url)

    async def take(event: CloudEvent) -> None:
        await asyncio.to_thread(app.take, event, current_trace_context())

    async def take_batch(events: list[CloudEvent], trace_contexts: list[dict[str, str]]) -> None:
        await asyncio.to_thread(app.take_batch, events, trace_contexts)

    # One consumer group per topic: tansu handles a group whose members subscribe alike.
    # Ticket events in batches: a surge of openings is taken in one transaction per poll.
    subscribe_tracked_batch(wired.broker, topic=topics.TICKETS, group_id="hotline-notifier",
                            apply_batch=take_batch, apply=take, traced=True,
                            max_record_bytes=settings.kafka_max_record_bytes)
    for topic, group in ((topics.SLA, "hotline-notifier-sla"), (topics.BILLING, "hotline-notifier-billing")):
        subscribe_tracked(wired.broker, topic=topic, group_id=group, apply=take,
                          max_record_bytes=settings.kafka_max_record_bytes)
    http = FastAPI(title="Hotline notifier", version="1.0.0",
                   description="Confirmations, replies and (later) escalations and maintenance notices.")
    maintenance = MaintenanceSchedule(
        app, DirectoryFile(settings.directory_file).current, clock,
        NoticeRules(settings.maintenance_lead_time, settings.maintenance_reminder))
    http.include_router(maintenance_router(maintenance))
    http.include_router(notifications_router(app))
    http.include_router(history.router(app))
    runtime = wired.runtime(http)
    runtime.add_task("relay", wired.relay_task(app, topics.NOTIFICATIONS, to_cloud_event,
                                                   publishes=PUBLISHED))
    runtime.add_task("audit-anchor", anchor_task(wired, app))
    dispatcher = _dispatcher(app, settings, clock)

    async def dispatch() -> None:
        assert wired.pool is not None
        await dispatcher.run(LogPositions(wired.pool, settings.schema))

    runtime.add_task("dispatcher", dispatch)
    runtime.on_stop(dispatcher.close)
    # The same log, a second topic: the relays' positions are separate (named by topic).
    runtime.add_task("relay-maintenance", wired.relay_task(
        app, topics.MAINTENANCE, maintenance_publication.to_cloud_event,
        publishes=maintenance_publication.PUBLISHED))
    runtime.add_task("maintenance-timer", MaintenanceTimer(
        maintenance, settings.database_url, tick_seconds=settings.maintenance_tick_seconds).run)
    return runtime


def _dispatcher(app: NotifierApplication, settings: NotifierSettings, clock: Clock) -> Dispatcher:
    """Email and webhook channels, the relay watch and the retry schedule, from the settings."""
    email = SmtpSender(settings.smtp_url, settings.from_address, timeout=settings.send_timeout_seconds,
                       idle_limit=settings.concurrency)
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    webhook = WebhookSender(secret, timeout=settings.send_timeout_seconds,
                            connections=settings.concurrency)
    schedule = RetrySchedule(settings.max_attempts, timedelta(seconds=settings.retry_base_seconds),
                             timedelta(seconds=settings.max_backoff_seconds), settings.retry_jitter)
    dispatcher = Dispatcher(app, {"email": email, "webhook": webhook}, clock, schedule=schedule,
                            relay=RelayWatch(email.probe, settings.relay_probe_seconds),
                            concurrency=settings.concurrency)
    instruments(dispatcher.relay, lambda: dispatcher.attempts)
    return dispatcher


def serve() -> None:
    wiring.serve(build)
