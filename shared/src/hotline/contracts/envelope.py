"""CloudEvents 1.0 in Kafka binary mode: headers carry the attributes, the body is JSON.

Headers: `ce_specversion`, `ce_id` (`<originator_id>:<originator_version>`, stable
across republishing), `ce_source` (`/hotline/<service>`), `ce_type`, `ce_time`,
`ce_subject` (the ticket number), `content-type: application/json`, and
`hotline_position`: the source's event-log position, which consumers use to
de-duplicate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from pydantic import ValidationError

from hotline.contracts.base import EventBody
from hotline.contracts.registry import contract_for

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
POSITION_HEADER = "hotline_position"


class EnvelopeError(ValueError):
    """A message that is not a Hotline CloudEvent we can read."""


@dataclass(frozen=True)
class CloudEvent:
    id: str
    source: str
    type: str
    time: datetime
    subject: str
    position: int
    data: EventBody

    @property
    def source_service(self) -> str:
        """`/hotline/intake` → `intake`."""
        return self.source.rsplit("/", 1)[-1]

    def headers(self) -> dict[str, str]:
        return {
            "ce_specversion": SPECVERSION,
            "ce_id": self.id,
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_time": self.time.astimezone(timezone.utc).isoformat(),
            "ce_subject": self.subject,
            "content-type": CONTENT_TYPE,
            POSITION_HEADER: str(self.position),
        }

    def body(self) -> bytes:
        return self.data.model_dump_json().encode()


def _text(headers: dict[str, bytes | str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        raise EnvelopeError(f"missing header {name!r}")
    return value.decode() if isinstance(value, bytes) else value


def parse(headers: dict[str, bytes | str], body: bytes) -> CloudEvent:
    """Read a CloudEvent from Kafka headers and body; raises EnvelopeError."""
    if _text(headers, "ce_specversion") != SPECVERSION:
        raise EnvelopeError("unsupported ce_specversion")
    ce_type = _text(headers, "ce_type")
    try:
        model = contract_for(ce_type).model
    except LookupError as exc:
        raise EnvelopeError(str(exc)) from None
    try:
        data = model.model_validate_json(body)
        time = datetime.fromisoformat(_text(headers, "ce_time"))
        position = int(_text(headers, POSITION_HEADER))
    except (ValidationError, ValueError) as exc:
        raise EnvelopeError(f"{ce_type}: {exc}") from None
    return CloudEvent(
        id=_text(headers, "ce_id"),
        source=_text(headers, "ce_source"),
        type=ce_type,
        time=time,
        subject=_text(headers, "ce_subject"),
        position=position,
        data=data,
    )
