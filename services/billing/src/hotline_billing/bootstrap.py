"""Composition root of billing: review and ticket consumers, quote expiry, relay; `serve()`
runs it."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from hotline import wiring
from hotline.audit.anchor import anchor_task
from hotline.clock import clock_from_settings
from hotline.consumer import subscribe_tracked, subscribe_tracked_batch
from hotline.contracts import topics
from hotline.contracts.envelope import CloudEvent
from hotline.runtime import ServiceRuntime
from hotline_billing.application import BillingApplication
from hotline_billing.entrypoints.http import billing_router
from hotline_billing.expiry import QuoteExpiry
from hotline_billing.publication import to_cloud_event
from hotline_billing.settings import BillingSettings
from hotline_billing import history


def build(settings: BillingSettings | None = None) -> ServiceRuntime:
    settings = settings or BillingSettings()
    wired = wiring.Wiring(settings)
    app = BillingApplication(env=wired.event_store_env(), clock=clock_from_settings(settings),
                             tariff=settings.tariff(), quote_days=settings.quote_days)

    async def take(event: CloudEvent) -> None:
        await asyncio.to_thread(app.take, event)

    async def take_batch(events: list[CloudEvent]) -> None:
        await asyncio.to_thread(app.take_batch, events)

    # One consumer group per topic: tansu handles a group whose members subscribe alike.
    subscribe_tracked(wired.broker, topic=topics.REVIEWS, group_id="hotline-billing", apply=take,
                      max_record_bytes=settings.kafka_max_record_bytes)
    # Ticket events in batches: a surge of openings is one transaction per poll, not per ticket.
    subscribe_tracked_batch(wired.broker, topic=topics.TICKETS, group_id="hotline-billing-tickets",
                            apply_batch=take_batch, apply=take,
                            max_record_bytes=settings.kafka_max_record_bytes)
    http = FastAPI(title="Hotline billing", version="1.0.0",
                   description="Off-hours charges from outage reviews, P4 quotes, monthly invoices.")
    http.include_router(billing_router(app))
    http.include_router(history.router(app))
    runtime = wired.runtime(http)
    runtime.add_task("relay", wired.relay_task(app, topics.BILLING, to_cloud_event))
    runtime.add_task("audit-anchor", anchor_task(wired, app))
    runtime.add_task("quote-expiry", QuoteExpiry(
        app, settings.database_url, tick_seconds=settings.quote_tick_seconds).run)
    return runtime


def serve() -> None:
    wiring.serve(build)
