"""The public contract: envelopes round-trip and the checked-in schemas match the models."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from uuid import uuid4

import jsonschema
import pytest

from hotline.contracts import REGISTRY, TicketOpened
from hotline.contracts.envelope import CloudEvent, EnvelopeError, parse
from hotline.contracts.generate import asyncapi, drift, json_schema

CONTRACTS = Path(__file__).resolve().parents[3] / "contracts"
NOW = datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc)


def ticket_opened() -> TicketOpened:
    return TicketOpened(
        ticket_id=uuid4(), ticket_number="T-000042", customer="Acme Corp",
        location="100 Main St, Springfield", issue="No dial tone", description="dead",
        priority=1, channel="email", contact="noc@acme.example", received_at=NOW, off_hours=False,
    )


def test_checked_in_schemas_and_asyncapi_match_the_models():
    assert drift(CONTRACTS) == [], "run `make schemas` and commit the result"


def test_every_event_body_validates_against_its_published_schema():
    body = ticket_opened().model_dump(mode="json")
    jsonschema.validate(body, json_schema("hotline.ticket.opened.v1"))


def test_asyncapi_lists_every_registered_type_on_its_topic():
    doc = asyncapi()
    for ce_type, contract in REGISTRY.items():
        channel = doc["channels"][contract.topic.replace(".", "_")]
        assert ce_type.replace(".", "_") in channel["messages"]


def test_envelope_round_trip_through_kafka_headers():
    data = ticket_opened()
    event = CloudEvent(id=f"{data.ticket_id}:1", source="/hotline/intake", type=data.ce_type,
                       time=NOW, subject=data.ticket_number, position=12, data=data)
    headers = {k: v.encode() for k, v in event.headers().items()}
    again = parse(headers, event.body())
    assert again == event
    assert again.source_service == "intake"


@pytest.mark.parametrize("mangle", [
    lambda h, b: ({**h, "ce_type": b"hotline.unknown.v1"}, b),
    lambda h, b: ({k: v for k, v in h.items() if k != "hotline_position"}, b),
    lambda h, b: (h, b"not json"),
    lambda h, b: (h, b'{"ticket_number": "T-1"}'),
    lambda h, b: ({**h, "ce_specversion": b"0.3"}, b),
])
def test_unreadable_messages_raise_envelope_error(mangle):
    data = ticket_opened()
    event = CloudEvent(id="x:1", source="/hotline/intake", type=data.ce_type, time=NOW,
                       subject="T-000042", position=1, data=data)
    headers, body = mangle({k: v.encode() for k, v in event.headers().items()}, event.body())
    with pytest.raises(EnvelopeError):
        parse(headers, body)


def test_naive_instants_are_refused():
    with pytest.raises(ValueError):
        TicketOpened(**{**ticket_opened().model_dump(), "received_at": datetime(2026, 1, 1)})
