"""Per-process resources every service shares: broker, asyncpg pool, relay tasks.

A service's `bootstrap.py` builds its application and edges, then hands them to
`Wiring.runtime(...)`, which registers start/stop hooks, readiness checks and the
relay that publishes the service's event log (reading its topic's tail back first whenever it
cannot know what the broker has, `hotline.published_tail`: no event twice). A relay blocked at
a record it cannot publish makes the service unready (`/readyz`: `relay: blocked at position
N: reason`) and shows in the gauges `hotline_relay_blocked`, `hotline_relay_position` and
`hotline_relay_backlog`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka import AIOKafkaProducer
from eventsourcing.application import Application
from fastapi import FastAPI
from opentelemetry.metrics import Observation

from hotline.admin_api import Publication, admin_router
from hotline.eventstore import ensure_schema, postgres_env
from hotline.kafka import client_options, ensure_topics, make_broker, make_producer, wait_for_broker
from hotline import consumer
from hotline.lag import SUBSCRIPTION_INTERVAL, ConsumerLag, measure_subscriptions
from hotline.logs import setup_logging
from hotline.follower import LogPositions, RecentEvents
from hotline.published_tail import TailReader
from hotline.relay import Relay, RelayStatus, ToCloudEvent
from hotline.runtime import ServiceRuntime
from hotline.settings import ServiceSettings
from hotline.telemetry import meter, setup_metrics, setup_tracing

log = logging.getLogger(__name__)
_observed: list[RelayStatus] = []  # every relay of this process, for the gauges


def _relay_instruments() -> None:
    relays = meter("hotline.relay")
    relays.create_observable_gauge(
        "hotline_relay_blocked",
        description="1 while the relay is stopped at a record it cannot publish",
        callbacks=[lambda _: [Observation(int(s.blocked is not None), {"relay": s.name})
                              for s in _observed]])
    relays.create_observable_gauge(
        "hotline_relay_position",
        description="Last log position the relay published (or is blocked after)",
        callbacks=[lambda _: [Observation(s.position, {"relay": s.name}) for s in _observed]])
    relays.create_observable_gauge(
        "hotline_relay_backlog",
        description="Events in the service's log the relay has not published yet (looked at "
        f"every {HEAD_SECONDS:g} s)",
        callbacks=[lambda _: [Observation(s.backlog, {"relay": s.name}) for s in _observed]])


HEAD_SECONDS = 5.0


async def _keep_measuring(lag: ConsumerLag) -> None:
    """`lag.run()`, started again after a pause if the broker refuses it."""
    while True:
        try:
            await lag.run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - a metric never stops the service
            log.debug("lag of %s not measured: %s", lag.group_id, exc)
        await asyncio.sleep(SUBSCRIPTION_INTERVAL)


async def _watch_head(pool: asyncpg.Pool, app: Application, status: RelayStatus) -> None:
    """Keep `status.head` at the log's last position, for the backlog gauge."""
    recorder = app.recorder
    table = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'  # type: ignore[attr-defined]
    while True:
        try:
            status.head = await pool.fetchval(f"SELECT coalesce(max(notification_id), 0) FROM {table}")
        except (asyncpg.PostgresError, OSError) as exc:
            log.debug("relay head not read: %s", exc)
        await asyncio.sleep(HEAD_SECONDS)


class Wiring:
    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        setup_logging(settings.service_name, settings.log_level)
        setup_tracing(settings.service_name, settings.otlp_endpoint)
        setup_metrics(settings.service_name)
        ensure_schema(settings.database_url, settings.schema)
        self.broker = make_broker(settings)
        self.producer: AIOKafkaProducer | None = None  # aiokafka wants the running loop
        self.pool: asyncpg.Pool | None = None
        self.relays: list[RelayStatus] = []
        self.publications: list[Publication] = []  # what each relay publishes (republishing)

    def event_store_env(self) -> dict[str, str]:
        return postgres_env(self.settings.database_url, self.settings.schema)

    async def start(self) -> None:
        await wait_for_broker(self.settings.kafka_bootstrap, settings=self.settings)
        await ensure_topics(self.settings.kafka_bootstrap, self.settings.topic_partitions,
                            settings=self.settings)
        self.pool = await asyncpg.create_pool(self.settings.database_url, min_size=1, max_size=10)
        self.producer = make_producer(self.settings)
        await self.producer.start()

    async def stop(self) -> None:
        if self.producer is not None:
            await self.producer.stop()
        if self.pool is not None:
            await self.pool.close()

    async def database_ready(self) -> bool:
        return self.pool is not None and await self.pool.fetchval("SELECT 1") == 1

    async def broker_ready(self) -> bool:
        return await self.broker.ping(timeout=1.0)

    async def relays_ready(self) -> bool:
        return all(relay.blocked is None for relay in self.relays)

    def relay_info(self) -> str | None:
        """Each relay's state; `relay_task`s registered after `runtime()` count too."""
        return "; ".join(relay.describe() for relay in self.relays) or None

    def relay_task(
        self, app: Application, topic: str, to_cloud_event: ToCloudEvent,
        recent: RecentEvents | None = None, publishes: tuple[type, ...] | None = None,
    ) -> Callable[[], Awaitable[None]]:
        """The task of the relay of `app`'s log to `topic`. `publishes`: the event classes that
        `to_cloud_event` makes records of (it maps every other to None); the relay then leaves
        the others undecoded. None: it decodes every event."""
        name = f"{self.settings.service_name}->{topic}"
        status = RelayStatus(name)
        self.publications.append(Publication(topic, app, to_cloud_event, status))
        self.relays.append(status)
        if not _observed:  # the process's first relay: make the gauges once
            _relay_instruments()
        _observed.append(status)

        async def run() -> None:
            assert self.pool is not None and self.producer is not None, "wiring not started"
            positions = LogPositions(self.pool, self.settings.schema)
            await positions.setup()
            tail = TailReader(client_options(self.settings),
                              client_id=f"hotline-{self.settings.service_name}-relay-tail")
            relay = Relay(name=name, app=app, producer=self.producer, topic=topic,
                          to_cloud_event=to_cloud_event, positions=positions, recent=recent,
                          max_record_bytes=self.settings.kafka_max_record_bytes, status=status,
                          tail_reader=tail, publishes=publishes)
            head = asyncio.create_task(_watch_head(self.pool, app, status), name=f"{name} head")
            try:
                await relay.run()
            finally:
                head.cancel()

        return run

    def runtime(self, http: FastAPI) -> ServiceRuntime:
        http.include_router(admin_router(
            lambda: self.publications, lambda: self.producer, self.settings.kafka_max_record_bytes,
            TailReader(client_options(self.settings), client_id=f"{self.settings.service_name}-republish",
                       timeout=120)))
        runtime = ServiceRuntime(self.settings, http, self.broker)
        runtime.on_start(self.start)

        measuring: list[asyncio.Task] = []

        async def measure_lags() -> None:
            """Every group this process subscribed with, measured beside the service (for
            /metrics only: not a task whose restarts would make the service unready)."""
            for lag in measure_subscriptions(self.settings.kafka_bootstrap, consumer.SUBSCRIPTIONS):
                measuring.append(asyncio.create_task(_keep_measuring(lag), name=f"lag {lag.group_id}"))

        async def stop_measuring() -> None:
            for task in measuring:
                task.cancel()
            await asyncio.gather(*measuring, return_exceptions=True)

        runtime.on_start(measure_lags)
        runtime.on_stop(stop_measuring)
        runtime.on_stop(self.stop)
        runtime.add_check("database", self.database_ready)
        runtime.add_check("broker", self.broker_ready)
        runtime.add_check("relay", self.relays_ready)
        runtime.add_info("relay", self.relay_info)
        return runtime


def yield_cpu(niceness: int) -> None:
    """Add `niceness` to this process's nice value (lower CPU priority), where the platform has
    one. On Linux it is the calling thread's, and threads started later inherit it: call it
    before any starts."""
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)


def serve(build: Callable[[], ServiceRuntime]) -> None:
    """Run a service until SIGTERM/SIGINT."""
    asyncio.run(build().run())
