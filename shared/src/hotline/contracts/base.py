"""The base of every event body: strict on what we write, tolerant on what we read."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("instants must carry a UTC offset")
    return value.astimezone(timezone.utc)


UtcInstant = Annotated[datetime, AfterValidator(_as_utc)]
"""An aware instant, normalised to UTC (naive datetimes are refused)."""


class EventBody(BaseModel):
    """Body of a Hotline CloudEvent. Unknown fields are ignored on read, so
    producers may add fields without breaking older consumers."""

    model_config = ConfigDict(extra="ignore", frozen=True)
