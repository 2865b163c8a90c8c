"""CloudEvents 1.0 in Kafka binary mode: headers carry the attributes, the body is JSON.

Headers: `ce_specversion`, `ce_id` (`<originator_id>:<originator_version>`, stable
across republishing), `ce_source` (`/hotline/<service>`), `ce_type`, `ce_time`,
`ce_subject` (the ticket number), `content-type: application/json`, and
`hotline_position`: the source's event-log position, which consumers use to
de-duplicate.

Header values are checked both where they are built (`CloudEvent.headers`) and where they are
read (`parse`): no control characters or line separators (a CR/LF splits the header wherever a
CloudEvent is bridged to HTTP or mail, a NUL ends it in C clients) and at most `MAX_HEADER_CHARS`. A refusal
names its `reason`, one of `REASONS`, which dead letters carry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from pydantic import ValidationError

from hotline.contracts.base import EventBody
from hotline.contracts.registry import contract_for

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"
POSITION_HEADER = "hotline_position"
MAX_HEADER_CHARS = 256  # ids, types, instants and ticket numbers: far shorter
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # C0, DEL, C1, line/paragraph separators

REASONS = ("malformed-headers", "unknown-type", "malformed-body", "wrong-schema")
"""Why a message is unreadable: a header missing, undecodable or invalid; a `ce_type` no
contract has; a body that is not JSON (e.g. truncated); JSON that does not fit the model."""


class EnvelopeError(ValueError):
    """A message that is not a Hotline CloudEvent we can read (or may send)."""

    def __init__(self, message: str, reason: str = "malformed-headers") -> None:
        super().__init__(message)
        self.reason = reason


def header_value(name: str, value: str, limit: int = MAX_HEADER_CHARS) -> str:
    """`value` if it may travel as header `name`; raises EnvelopeError otherwise."""
    if len(value) > limit:
        raise EnvelopeError(f"header {name!r} is {len(value)} characters (at most {limit})")
    if _CONTROL.search(value):
        raise EnvelopeError(f"header {name!r} contains a control character")
    return value


def printable(text: str, limit: int) -> str:
    """`text` with control characters replaced by spaces, cut to `limit` characters: for
    headers that carry free text (a dead letter's error) rather than refusing it."""
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class CloudEvent:
    id: str
    source: str
    type: str
    time: datetime
    subject: str
    position: int
    data: EventBody
    key: str | None = None
    """The Kafka key the relay publishes it under; None: its aggregate's id. A service whose
    ticket's events come from several aggregates keys them by the ticket number, so they stay
    in order on one partition."""

    @property
    def source_service(self) -> str:
        """`/hotline/intake` → `intake`."""
        return self.source.rsplit("/", 1)[-1]

    def headers(self) -> dict[str, str]:
        """The Kafka headers; raises EnvelopeError if an attribute may not travel as one (a
        bug upstream: every attribute is made by Hotline, none is free text)."""
        headers = {
            "ce_specversion": SPECVERSION,
            "ce_id": self.id,
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_time": self.time.astimezone(timezone.utc).isoformat(),
            "ce_subject": self.subject,
            "content-type": CONTENT_TYPE,
            POSITION_HEADER: str(self.position),
        }
        return {name: header_value(name, value) for name, value in headers.items()}

    def body(self) -> bytes:
        return self.data.model_dump_json().encode()

    def structured(self) -> dict[str, object]:
        """The event in CloudEvents' structured JSON mode (attributes and data in one object),
        as webhooks carry it."""
        return {"specversion": SPECVERSION, "id": self.id, "source": self.source, "type": self.type,
                "time": self.time.astimezone(timezone.utc).isoformat(), "subject": self.subject,
                "datacontenttype": CONTENT_TYPE, "data": self.data.model_dump(mode="json")}


def _text(headers: dict[str, bytes | str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        raise EnvelopeError(f"missing header {name!r}")
    if isinstance(value, bytes):
        try:
            value = value.decode()
        except UnicodeDecodeError:
            raise EnvelopeError(f"header {name!r} is not UTF-8") from None
    return header_value(name, value)


def _instant(headers: dict[str, bytes | str]) -> datetime:
    try:
        time = datetime.fromisoformat(_text(headers, "ce_time"))
    except ValueError as exc:
        raise EnvelopeError(f"ce_time: {exc}") from None
    if time.utcoffset() is None:
        raise EnvelopeError("ce_time has no UTC offset")
    return time


def _position(headers: dict[str, bytes | str]) -> int:
    text = _text(headers, POSITION_HEADER)
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise EnvelopeError(f"{POSITION_HEADER} is not a positive integer")
    return int(text)


def parse(headers: dict[str, bytes | str], body: bytes) -> CloudEvent:
    """Read a CloudEvent from Kafka headers and body; raises EnvelopeError (with its reason)."""
    if _text(headers, "ce_specversion") != SPECVERSION:
        raise EnvelopeError("unsupported ce_specversion")
    ce_type = _text(headers, "ce_type")
    try:
        model = contract_for(ce_type).model
    except LookupError as exc:
        raise EnvelopeError(str(exc), "unknown-type") from None
    event = dict(id=_text(headers, "ce_id"), source=_text(headers, "ce_source"), type=ce_type,
                 time=_instant(headers), subject=_text(headers, "ce_subject"),
                 position=_position(headers))
    try:
        data = model.model_validate_json(body)
    except ValidationError as exc:
        not_json = any(e["type"] == "json_invalid" for e in exc.errors())
        raise EnvelopeError(f"{ce_type}: {exc}", "malformed-body" if not_json else "wrong-schema") from None
    return CloudEvent(data=data, **event)
