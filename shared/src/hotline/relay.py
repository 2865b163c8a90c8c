"""The relay: follows a service's event log and publishes each event to Kafka.

The event store is the source of truth and its notification log is the outbox.
The relay reads the log in order (`hotline.follower.follow_log`), publishes each event as a CloudEvent keyed by its aggregate id,
waits for the broker's acknowledgement of the whole batch, and only then records
its position. A crash re-publishes at most the unacknowledged batch: at-least-once
per position, per-key order kept; consumers de-duplicate by position.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from eventsourcing.application import Application
from faststream.kafka import KafkaBroker

from hotline.follower import LogPositions, follow_log

from hotline.contracts.envelope import CloudEvent
from hotline.telemetry import tracer, use_trace_context

log = logging.getLogger(__name__)

ToCloudEvent = Callable[[Any, int], CloudEvent | None]
"""Maps a stored domain event and its log position to the CloudEvent to publish
(or None for events that stay private to the service)."""


class Relay:
    def __init__(
        self,
        *,
        name: str,
        app: Application,
        broker: KafkaBroker,
        topic: str,
        to_cloud_event: ToCloudEvent,
        positions: LogPositions,
        batch_size: int = 500,
    ) -> None:
        self.name = name
        self._app = app
        self._broker = broker
        self._topic = topic
        self._to_cloud_event = to_cloud_event
        self._positions = positions
        self._batch_size = batch_size
        self.position = 0
        self.published = 0
        self.running = False

    async def run(self) -> None:
        """Publish forever (until cancelled), while holding this relay's lock."""
        async with self._positions.exclusive(self.name):
            self.position = await self._positions.load(self.name)
            log.info("relay started", extra={"relay": self.name, "position": self.position})
            self.running = True
            try:
                async for batch in follow_log(self._app, self.position, batch_size=self._batch_size):
                    await self._publish(batch)
            finally:
                self.running = False

    async def _publish(self, batch: list[tuple[Any, int]]) -> None:
        delay = 0.2
        while True:
            try:
                futures = [await self._send(event, position) for event, position in batch]
                await asyncio.gather(*(f for f in futures if f is not None))
                break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Nothing is recorded; the whole batch is sent again (consumers de-duplicate).
                log.warning("relay publish failed; retrying", extra={"relay": self.name, "error": str(exc)})
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
        self.position = batch[-1][1]
        self.published += len(batch)
        await self._positions.save(self.name, self.position)

    async def _send(self, domain_event: Any, position: int) -> asyncio.Future | None:
        cloud_event = self._to_cloud_event(domain_event, position)
        if cloud_event is None:
            return None
        with use_trace_context(getattr(domain_event, "trace_context", None)):
            with tracer(__name__).start_as_current_span(f"relay {cloud_event.type}"):
                return await self._broker.publish(
                    cloud_event.body(),
                    topic=self._topic,
                    key=str(domain_event.originator_id).encode(),
                    headers=cloud_event.headers(),
                    no_confirm=True,
                )
