"""Operators' routes every service serves (admin role): republishing its event log.

`POST /admin/republish` `{"from_position": N, "to_position": M?, "topic": T?}` sends the
service's public events from log position N (to M, default the end) again, with their original
ids, on each topic its relays publish (or only `topic`): for a subscriber or a broker that lost
data (`hotline republish <service> --from N`). It runs beside the relays and changes no state.

With `"missing": true` (`--missing`: the broker lost the topic, or part of it) it first reads
what the topic holds and sends only what is not there, and only up to each relay's recorded
position (beyond it, the relay is still sending, and reads the topic back before it does): the
topic ends with each `ce_id` once, whatever both were doing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hotline.identity import requires
from hotline.problems import Problem, refusal
from hotline.published_tail import ReadTail
from hotline.relay import RelayStatus
from hotline.relay_records import ToCloudEvent
from hotline.republish import republish

WHOLE_TOPIC = 2**62  # records per partition to read back: all of them


@dataclass(frozen=True)
class Publication:
    """What one relay publishes: `app`'s log, mapped by `to_cloud_event`, on `topic`."""

    topic: str
    app: Any
    to_cloud_event: ToCloudEvent
    status: RelayStatus | None = None  # its relay's: where it has published to


class RepublishRequest(BaseModel):
    from_position: int = Field(ge=1, description="First log position to send again (inclusive).")
    to_position: int | None = Field(None, ge=1, description="Last one (inclusive); default the end.")
    topic: str | None = Field(None, max_length=200, description="Only this topic (default: all of "
                              "the service's).")
    missing: bool = Field(False, description="Send only what the topic lacks, up to the relay's "
                          "recorded position (after the broker lost data): each ce_id ends up "
                          "on the topic once.")


class RepublishedView(BaseModel):
    topic: str
    published: int
    skipped: int = Field(description="Records over HOTLINE_KAFKA_MAX_RECORD_BYTES, left out.")
    last_position: int | None
    present: int = Field(0, description="Already on the topic (`missing`), not sent again.")


def admin_router(publications: Callable[[], list[Publication]], producer: Callable[[], Any],
                 max_record_bytes: int, read_tail: ReadTail | None = None) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.post("/admin/republish", response_model=list[RepublishedView],
                 responses={404: {"model": Problem}, 409: {"model": Problem}, 503: {"model": Problem}})
    @requires("log:republish")
    async def republish_log(request: RepublishRequest) -> list[RepublishedView]:
        """Send the service's public events again, with their original ids; subscribers ignore
        what they already applied."""
        if request.to_position is not None and request.to_position < request.from_position:
            raise refusal(409, "bad_range", "to_position is before from_position")
        chosen = [p for p in publications() if request.topic in (None, p.topic)]
        if not chosen:
            known = ", ".join(p.topic for p in publications()) or "none"
            raise refusal(404, "unknown_topic", f"this service publishes {known}, not {request.topic}")
        sender = producer()
        if sender is None:
            raise refusal(503, "not_started", "the service is still starting; try again")
        if request.missing and read_tail is None:
            raise refusal(409, "not_supported", "this service cannot read its topics back")
        done = []
        for publication in chosen:
            stop, present = request.to_position, None
            if request.missing:
                assert read_tail is not None
                relayed = publication.status.position if publication.status else 0
                stop = relayed if stop is None else min(stop, relayed)
                try:
                    present = await read_tail(publication.topic, WHOLE_TOPIC)
                except Exception as exc:  # noqa: BLE001 (the broker's trouble, told as such)
                    raise refusal(503, "broker_unavailable", f"cannot read {publication.topic} "
                                  f"back: {type(exc).__name__}: {exc}") from None
                if stop < request.from_position:
                    done.append(RepublishedView(topic=publication.topic, published=0, skipped=0,
                                                last_position=None))
                    continue
            result = await republish(publication.app, sender, publication.topic,
                                     publication.to_cloud_event, start=request.from_position,
                                     stop=stop, max_record_bytes=max_record_bytes, present=present)
            done.append(RepublishedView(**asdict(result)))
        return done

    return router
