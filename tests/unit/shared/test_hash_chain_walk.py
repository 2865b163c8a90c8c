"""The hash chain and its walk, without a database: any single-byte change, deletion (with or
without the chain row), insertion or swap of events is named at the right event; anchors catch
a chain rewritten consistently."""

from __future__ import annotations

from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.audit.chain import GENESIS, link
from hotline.audit.walk import Anchor, Event, Link, walk

events_strategy = st.lists(
    st.tuples(st.uuids(), st.integers(1, 50), st.sampled_from(["a.B", "x.Y.Created"]),
              st.binary(max_size=40), st.integers(1, 3)),
    min_size=2, max_size=25)


def build(raw, start: int = 0) -> tuple[list[Event], list[Link]]:
    """Events with notification ids after `start` (gaps as rolled-back inserts leave), chained."""
    events, links = [], [Link(start, None, GENESIS)]
    n, prev = start, GENESIS
    for originator, version, topic, state, gap in raw:
        n += gap
        event = Event(n, originator, version, topic, state)
        prev = link(prev, n, originator, version, topic, state)
        events.append(event)
        links.append(Link(n, links[-1].notification_id, prev))
    return events, links


@given(events_strategy)
def test_an_untouched_chain_is_intact(raw):
    events, links = build(raw)
    result = walk(events, links)
    assert result.broken is None and result.chained == len(events)
    assert result.head == links[-1]


@settings(max_examples=200)
@given(events_strategy, st.data())
def test_any_single_byte_change_is_named(raw, data):
    events, links = build(raw)
    i = data.draw(st.integers(0, len(events) - 1))
    field = data.draw(st.sampled_from(["state", "topic", "originator_id", "originator_version"]))
    e = events[i]
    if field == "state":
        state = e.state or b"\0"
        j = data.draw(st.integers(0, len(state) - 1))
        changed = e._replace(state=state[:j] + bytes([state[j] ^ data.draw(st.integers(1, 255))])
                             + state[j + 1:] if e.state else b"\0")
    elif field == "topic":
        changed = e._replace(topic=e.topic[:-1] + chr(ord(e.topic[-1]) ^ 1))
    elif field == "originator_id":
        changed = e._replace(originator_id=UUID(int=e.originator_id.int ^ (1 << data.draw(st.integers(0, 127)))))
    else:
        changed = e._replace(originator_version=e.originator_version + 1)
    events[i] = changed
    result = walk(events, links)
    assert result.broken is not None
    assert (result.broken.notification_id, result.broken.kind) == (e.notification_id, "altered")
    assert result.chained == i


@given(events_strategy, st.data())
def test_a_deleted_event_is_named_with_or_without_its_chain_row(raw, data):
    events, links = build(raw)
    i = data.draw(st.integers(0, len(events) - 1))
    gone = events.pop(i).notification_id
    if data.draw(st.booleans()):
        links = [row for row in links if row.notification_id != gone]
        if i == len(events):  # the last: only an anchor can tell
            assert walk(events, links).broken is None
            found = walk(events, links, anchors=[Anchor(gone, build(raw)[1][-1].hash)]).broken
            assert found is not None and found.kind == "rewritten"
            return
    found = walk(events, links).broken
    assert found is not None and (found.notification_id, found.kind) == (gone, "deleted")


@given(events_strategy, st.data())
def test_swapped_events_are_named_as_reordered(raw, data):
    events, links = build(raw)
    i = data.draw(st.integers(0, len(events) - 2))
    a, b = events[i], events[i + 1]
    if (a.originator_id, a.originator_version, a.topic, a.state) == \
            (b.originator_id, b.originator_version, b.topic, b.state):
        return
    events[i] = b._replace(notification_id=a.notification_id)
    events[i + 1] = a._replace(notification_id=b.notification_id)
    found = walk(events, links, nearby=lambda n: links).broken
    assert found is not None
    assert (found.notification_id, found.kind) == (a.notification_id, "reordered")
    assert f"as event {b.notification_id}" in found.text


@given(events_strategy, st.data())
def test_an_inserted_event_is_named(raw, data):
    events, links = build(raw)
    i = data.draw(st.integers(0, len(events) - 1))
    extra = Event(events[i].notification_id + 1000, UUID(int=7), 1, "t", b"x")
    events = sorted([*events, extra])
    found = walk(events, links).broken
    assert found is not None and (found.notification_id, found.kind) == (extra.notification_id, "inserted")


def test_events_before_the_chain_start_are_counted_not_covered():
    raw = [(UUID(int=i), 1, "t", b"s", 1) for i in range(5)]
    events, links = build(raw, start=3)
    early = [Event(n, UUID(int=100 + n), 1, "t", b"old") for n in (1, 2, 3)]
    result = walk([*early, *events], links)
    assert result.broken is None and (result.unchained, result.chained, result.start) == (3, 5, 3)


def test_a_deleted_start_or_an_emptied_chain_is_named():
    raw = [(UUID(int=i), 1, "t", b"s", 1) for i in range(3)]
    events, links = build(raw)
    assert walk(events, links[1:]).broken.kind == "start-deleted"
    assert walk(events, []).broken.kind == "start-deleted"
    assert walk([], []).broken is None


def test_a_consistently_rewritten_chain_disagrees_with_its_anchor():
    raw = [(UUID(int=i), 1, "t", b"s%d" % i, 1) for i in range(6)]
    events, links = build(raw)
    anchors = [Anchor(links[2].notification_id, links[2].hash, "t1"),
               Anchor(links[5].notification_id, links[5].hash, "t2")]
    assert walk(events, links, anchors=anchors).anchors_checked == 2
    forged = list(raw)
    forged[3] = (UUID(int=3), 1, "t", b"forged", 1)
    events, links = build(forged)  # events and chain rewritten alike: the walk alone passes
    assert walk(events, links).broken is None
    found = walk(events, links, anchors=anchors).broken
    assert found.kind == "rewritten" and found.notification_id == 5
    assert "after anchor at notification_id 5" in found.text and "after event 2" in found.text
