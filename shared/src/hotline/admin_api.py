"""Operators' routes every service serves (admin role): republishing its event log.

`POST /admin/republish` `{"from_position": N, "to_position": M?, "topic": T?}` sends the
service's public events from log position N (to M, default the end) again, with their original
ids, on each topic its relays publish (or only `topic`): for a subscriber or a broker that lost
data (`hotline republish <service> --from N`). It runs beside the relays and changes no state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from hotline.identity import requires
from hotline.problems import Problem, refusal
from hotline.relay_records import ToCloudEvent
from hotline.republish import republish


@dataclass(frozen=True)
class Publication:
    """What one relay publishes: `app`'s log, mapped by `to_cloud_event`, on `topic`."""

    topic: str
    app: Any
    to_cloud_event: ToCloudEvent


class RepublishRequest(BaseModel):
    from_position: int = Field(ge=1, description="First log position to send again (inclusive).")
    to_position: int | None = Field(None, ge=1, description="Last one (inclusive); default the end.")
    topic: str | None = Field(None, max_length=200, description="Only this topic (default: all of "
                              "the service's).")


class RepublishedView(BaseModel):
    topic: str
    published: int
    skipped: int = Field(description="Records over HOTLINE_KAFKA_MAX_RECORD_BYTES, left out.")
    last_position: int | None


def admin_router(publications: Callable[[], list[Publication]], producer: Callable[[], Any],
                 max_record_bytes: int) -> APIRouter:
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
        done = []
        for publication in chosen:
            result = await republish(publication.app, sender, publication.topic,
                                     publication.to_cloud_event, start=request.from_position,
                                     stop=request.to_position, max_record_bytes=max_record_bytes)
            done.append(RepublishedView(**asdict(result)))
        return done

    return router
