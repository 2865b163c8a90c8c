"""Republishing a service's events, with their original ids, for a subscriber or a broker that
lost data.

`republish` reads the service's own event log from `start` (a log position, inclusive) to
`stop` (inclusive, default: the end as it is now) and sends each event that the topic's
`to_cloud_event` makes public as the relay made it: the same `ce_id`, key, headers and
`hotline_position`. Subscribers record what they applied by (source, position), so what they
already had changes nothing. The relay's own position is not touched: this runs beside it.
A record over the size limit is skipped and counted (the relay blocks on those; it never
published them either).

`present` (for a broker that lost data and came back: `--missing`): a `Tail` of what the topic
holds now; a record already there (same partition, `ce_source` and position) is not sent again,
so the topic ends up with each `ce_id` once. The caller stops at the relay's recorded position:
what lies beyond is the relay's to send (it reads the topic back before it does), so the two
never send the same record.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer

from hotline.published_tail import Tail
from hotline.relay_records import Message, ToCloudEvent, record_size, send_batches, to_record

PAGE = 500


@dataclass
class Republished:
    topic: str
    published: int = 0
    skipped: int = 0  # over the record size limit
    last_position: int | None = None
    present: int = 0  # already on the topic (`present`), not sent again


async def republish(app: Any, producer: AIOKafkaProducer, topic: str, to_cloud_event: ToCloudEvent,
                    *, start: int, stop: int | None = None,
                    max_record_bytes: int | None = None, present: Tail | None = None) -> Republished:
    """Send the public events of `app`'s log between `start` and `stop` again to `topic`
    (those `present` holds left out)."""
    done = Republished(topic)
    partitions = sorted(await producer.partitions_for(topic)) if present is not None else []
    position = start
    while True:
        page = await asyncio.to_thread(app.recorder.select_notifications, position, PAGE, stop)
        if not page:
            return done
        messages: list[Message] = []
        for notification in page:
            message = to_record(to_cloud_event, app.mapper.to_domain_event(notification), notification.id)
            if message is None:
                continue
            if max_record_bytes is not None and record_size(message) > max_record_bytes:
                done.skipped += 1
                continue
            if present is not None and present.holds(message, partitions):
                done.present += 1
                continue
            messages.append(message)
        await send_batches(producer, topic, messages)
        done.published += len(messages)
        done.last_position = page[-1].id
        position = page[-1].id + 1

