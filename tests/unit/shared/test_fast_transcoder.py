"""`FastJSONTranscoder` reads and writes exactly what eventsourcing's `JSONTranscoder` does.

The same bytes for the same objects (so the hash chain and old readers are unaffected), and the
same objects — or the same error — from the same bytes, including bytes the library wrote."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import (DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper,
                                       Transcoding, TranscodingNotRegisteredError, UUIDAsHex)
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline import contracts
from hotline.clock import FixedClock
from hotline.eventstore import popo_env
from hotline.transcoding import FastJSONTranscoder
from hotline_sla_timer.application import SlaTimerApplication
from hotline_sla_timer.domain import deadlines
from hotline_sla_timer.domain.changes import change_from_contract

UTC = timezone.utc
T0 = datetime(2027, 3, 1, 17, 0, tzinfo=UTC)


class Point:
    def __init__(self, at: datetime, where: list[Any]) -> None:
        self.at, self.where = at, where

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.at, self.where) == (other.at, other.where)

    def __repr__(self) -> str:
        return f"Point({self.at!r}, {self.where!r})"


class PointAsDict(Transcoding):
    """A transcoding whose `_data_` holds markers of its own (decoded before it)."""

    type = Point
    name = "point"

    def encode(self, obj: Point) -> dict[str, Any]:
        return {"at": obj.at, "where": obj.where}

    def decode(self, data: dict[str, Any]) -> Point:
        return Point(data["at"], data["where"])


def transcoder(cls: type[JSONTranscoder]) -> JSONTranscoder:
    t = cls()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), PointAsDict()):
        t.register(transcoding)
    return t


OLD, NEW = transcoder(JSONTranscoder), transcoder(FastJSONTranscoder)


def outcome(decode: Any, data: bytes) -> tuple[str, Any]:
    try:
        return "ok", decode(data)
    except Exception as e:  # noqa: BLE001 - which error is the point
        return "error", type(e)


zones = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))])
atoms = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2**70, max_value=2**70)
         | st.floats(allow_nan=False) | st.text() | st.datetimes(timezones=zones) | st.uuids()
         | st.decimals(allow_nan=False))
keys = st.text(max_size=8) | st.sampled_from(["_type_", "_data_", "timestamp", "marks"])
values = st.recursive(
    atoms,
    lambda inner: (st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4)
                   | st.builds(Point, st.datetimes(timezones=zones), st.lists(inner, max_size=3))),
    max_leaves=25)


@settings(max_examples=400, deadline=None)
@given(values)
def test_same_bytes_and_same_objects_as_the_library(value: Any) -> None:
    stored = OLD.encode(value)
    assert NEW.encode(value) == stored
    # The same objects, or (a hand-made marker among the dicts: `_type_` and `_data_` keys)
    # the same error.
    assert outcome(NEW.decode, stored) == outcome(OLD.decode, stored)


# Documents the encoder does not write (hand-made markers, names not registered, wrong data),
# and ones orjson leaves to the library (NaN, Infinity, integers beyond 64 bits).
@pytest.mark.parametrize("data", [
    b'{"_type_":"nowhere","_data_":"x"}',
    b'{"a":[{"_type_":"nowhere","_data_":"x"}]}',
    b'{"_type_":"uuid_hex","_data_":5}',
    b'{"_type_":"uuid_hex","_data_":"not hex"}',
    b'{"_type_":"datetime_iso","_data_":"yesterday"}',
    b'{"_type_":["x"],"_data_":1}',
    b'{"_type_":"decimal_str","_data_":"1.50","extra":1}',
    b'{"_data_":"x","_type_":"uuid_hex"}',
    b'[[{"_type_":"decimal_str","_data_":"-0.00"}]]',
    b'{"_type_":"point","_data_":{"at":{"_type_":"datetime_iso","_data_":"2027-03-01T17:00:00"},'
    b'"where":[]}}',
    b'{"n":NaN,"i":-Infinity}',
    b'Infinity',
    b'{"big":18446744073709551616,"small":-9223372036854775809}',
    b'[[123456789012345678901234567890]]',
    b'18446744073709551616',
    b'{"f":1e300,"g":-1.5e19}',
    b'"\\ud800"',
    b'{"a":1,"a":2}',
    b'[1,]',
    b'',
])
def test_same_objects_or_same_error_for_unusual_documents(data: bytes) -> None:
    new, old = outcome(NEW.decode, data), outcome(OLD.decode, data)
    if new[0] == "ok" and old[0] == "ok":
        assert repr(new[1]) == repr(old[1])  # repr: NaN is not equal to itself
    else:
        assert new == old


def test_a_transcoding_registered_later_is_used() -> None:
    t = FastJSONTranscoder()
    stored = b'{"at":{"_type_":"datetime_iso","_data_":"2027-03-01T17:00:00+00:00"}}'
    with pytest.raises(TranscodingNotRegisteredError):
        t.decode(stored)
    t.register(DatetimeAsISO())
    assert t.decode(stored) == {"at": T0}


# Bytes as eventsourcing's JSONTranscoder stored them (sla-timer's log).
STORED_CHANGED = (
    b'{"timestamp":{"_type_":"datetime_iso","_data_":"2026-11-30T01:31:16.664809+00:00"},'
    b'"kind":"first-response","at":{"_type_":"datetime_iso","_data_":"2027-03-01T17:30:00+00:00"},'
    b'"priority":null,"targets":{"response":{"version":1,"marks":['
    b'[75.0,{"_type_":"datetime_iso","_data_":"2027-03-01T23:00:00+00:00"}],'
    b'[90.0,{"_type_":"datetime_iso","_data_":"2027-03-02T00:12:00+00:00"}],'
    b'[100.0,{"_type_":"datetime_iso","_data_":"2027-03-02T01:00:00+00:00"}]],"running":false},'
    b'"rfo":{"version":0,"marks":[],"running":false}},"recorded_at":null}')
STORED_OPENED_ID = (
    b'{"ticket_id":{"_type_":"uuid_hex","_data_":"5c42d23848355153b762a35acd5d1cd2"},'
    b'"ticket_number":"T-70000000",'
    b'"received_at":{"_type_":"datetime_iso","_data_":"2027-03-01T17:00:00+00:00"},'
    b'"customer":"Acme Corp \xe2\x80\x94 Nord"}')


def test_decodes_bytes_the_library_stored() -> None:
    for stored in (STORED_CHANGED, STORED_OPENED_ID):
        assert NEW.decode(stored) == OLD.decode(stored)
        assert NEW.encode(OLD.decode(stored)) == stored
    changed = NEW.decode(STORED_CHANGED)
    due = datetime(2027, 3, 2, 1, 0, tzinfo=UTC)
    assert changed["targets"]["response"]["marks"][2] == [100.0, due]
    assert NEW.decode(STORED_OPENED_ID)["ticket_id"] == UUID("5c42d238-4835-5153-b762-a35acd5d1cd2")


def ticket_clocks_events(app: SlaTimerApplication) -> list[Any]:
    """One ticket's clocks opened, first-responded (a DeadlineMet) and reprioritised."""
    number = "T-7000001"
    opened = contracts.TicketOpened(
        ticket_id=contracts.ticket_id_for(number), ticket_number=number, customer="Acme Corp",
        location="100 Main St", issue="outage", description="d", priority=2, channel="http",
        contact="noc@acme.example", received_at=T0, off_hours=False)
    clocks, _ = deadlines.open_clocks(opened, app.policy, T0)
    responded = change_from_contract(contracts.FirstResponseGiven(
        ticket_id=opened.ticket_id, ticket_number=number, at=T0 + timedelta(minutes=30)), True)
    deadlines.apply_changes(clocks, [responded], app.policy, T0 + timedelta(hours=1))
    return clocks.collect_events()


def test_ticket_clocks_events_store_the_same_bytes_and_decode_the_same() -> None:
    app = SlaTimerApplication(env=popo_env(), clock=FixedClock(T0))
    assert isinstance(app.mapper.transcoder, FastJSONTranscoder)
    library = Mapper(transcoder=JSONTranscoder())
    app.register_transcodings(library.transcoder)
    events = ticket_clocks_events(app)
    assert {type(e).__name__ for e in events} >= {"Opened", "Changed", "DeadlineMet"}
    for event in events:
        stored = app.mapper.to_stored_event(event)
        assert stored == library.to_stored_event(event)
        decoded = vars(app.mapper.to_domain_event(stored))
        assert decoded == vars(library.to_domain_event(stored)) == vars(event)


def test_decimal_and_point_markers_nested_in_lists() -> None:
    value = {"amounts": [[Decimal("1.10"), Decimal("-0")], []],
             "p": Point(T0, [UUID(int=7), {"k": T0}])}
    stored = OLD.encode(value)
    assert NEW.encode(value) == stored
    assert NEW.decode(stored) == OLD.decode(stored) == value
