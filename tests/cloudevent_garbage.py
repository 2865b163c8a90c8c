"""Hypothesis strategies for Kafka records that are not readable Hotline CloudEvents, each with
the dead-letter reason a consumer must give it (`envelope.REASONS`; `oversized` is the
consumer's own). Each record is a valid ticket event spoiled in exactly one way, plus noise
headers (arbitrary names and bytes, null values) that must not change the verdict.

`garbage_records(n, event)` draws n of each kind outside a `@given` test (for integration
tests, which publish them through a real broker)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from hotline.contracts import TicketOpened
from hotline.contracts.envelope import MAX_HEADER_CHARS, CloudEvent

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)
CE_HEADERS = ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject",
              "hotline_position")
Headers = list[tuple[str, bytes | None]]


@dataclass(frozen=True)
class Garbage:
    headers: Headers
    body: bytes
    reason: str


def valid_event(position: int, ticket_id: UUID) -> CloudEvent:
    data = TicketOpened(
        ticket_id=ticket_id, ticket_number=f"T-{position:06d}", customer="Acme Corp",
        location="100 Main St, Springfield", issue="x", description="y", priority=3,
        channel="email", contact="noc@acme.example", received_at=NOW, off_hours=False)
    return CloudEvent(id=f"{ticket_id}:1", source="/hotline/intake", type=data.ce_type,
                      time=NOW, subject=data.ticket_number, position=position, data=data)


def encoded(event: CloudEvent) -> dict[str, bytes | None]:
    return {k: v.encode() for k, v in event.headers().items()}


_plain = st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=40)
_spoilt_header_value = st.one_of(
    st.none(),
    st.binary(min_size=1, max_size=20).map(lambda b: b"\xff" + b),  # never UTF-8
    st.tuples(_plain, st.sampled_from("\r\n\x00\x1b\x7f\x85\u2028"), _plain)
    .map(lambda t: "".join(t).encode()),
    st.just(b"x" * (MAX_HEADER_CHARS + 1)),
)
_noise = st.lists(st.tuples(st.text(min_size=1, max_size=12).filter(lambda n: n not in CE_HEADERS),
                            st.one_of(st.none(), st.binary(max_size=40))), max_size=4)


KINDS = ("header-missing", "header-spoilt", "time", "position", "unknown-type", "truncated",
         "not-json", "wrong-schema")


@st.composite
def garbage(draw: st.DrawFn, event: CloudEvent, kinds: tuple[str, ...] = KINDS) -> Garbage:
    headers, body = encoded(event), event.body()
    kind = draw(st.sampled_from(kinds))
    reason = "malformed-headers"
    if kind == "header-missing":
        del headers[draw(st.sampled_from(CE_HEADERS))]
    elif kind == "header-spoilt":
        headers[draw(st.sampled_from(CE_HEADERS))] = draw(_spoilt_header_value)
    elif kind == "time":
        headers["ce_time"] = draw(st.sampled_from([b"2026-11-25T18:00:00", b"yesterday", b""]))
    elif kind == "position":
        headers["hotline_position"] = draw(st.sampled_from([b"0", b"-3", b"1e3", b"\xd9\xa3", b"9" * 300]))
    elif kind == "unknown-type":
        headers["ce_type"] = ("hotline.no-such." + draw(_plain)).encode()
        reason = "unknown-type"
    elif kind == "truncated":
        body, reason = body[: draw(st.integers(0, len(body) - 1))], "malformed-body"
    elif kind == "not-json":
        body, reason = b"\xff" + draw(st.binary(max_size=200)), "malformed-body"
    else:
        shape = draw(st.dictionaries(st.text(max_size=10), st.one_of(st.integers(), st.text(max_size=10)),
                                     max_size=5))
        body, reason = json.dumps(shape).encode(), "wrong-schema"
    noise = draw(_noise)
    return Garbage(headers=[*headers.items(), *noise], body=body, reason=reason)


def garbage_records(per_kind: int, event: CloudEvent) -> list[Garbage]:
    """`per_kind` garbage records of each kind spoiling `event`, drawn by hypothesis."""
    drawn: list[Garbage] = []
    for kind in KINDS:
        @settings(max_examples=per_kind, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), deadline=None)
        @given(garbage(event, (kind,)))
        def collect(record: Garbage) -> None:
            drawn.append(record)

        collect()
    return drawn
