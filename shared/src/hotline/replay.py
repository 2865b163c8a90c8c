"""Replaying a service's event store: every stored event in log order, decoded, and folded into
its aggregates: what rebuilding a read model does.

`replay` reads the log in pages through the recorder's `select_notifications` and fetches the
next page in a worker thread while the current one is decoded: the database round trip
overlaps decoding, but building the rows and `Notification`s holds the GIL, so that part of
reading adds to decoding (measured by `make bench`). `topic_prefixes` leaves out, before they are
decoded, events of other aggregates. Each event is made by `event_decoder`: what the library's
`Mapper.to_domain_event` makes, with what it looks up for every event (the class, the id
convertor, the class version) looked up once per topic. `fold` applies the events to their
aggregates, as `repository.get` does one aggregate at a time; an event of an `@event`-decorated
method calls it with the parameters found once per class (`event_mutator`), not once per event.

`fold` pauses Python's cyclic garbage collector while it runs, then moves what exists to the
collector's permanent generation (`gc.freeze()`) and resumes it. A replay keeps nearly all it
decodes (the aggregates are its result): millions of containers, none in a reference cycle,
which every collection the replay triggered walked again (a growing heap is walked several
times over), at about the cost of the replay itself. Frozen, they are never walked again: a
final full collection would only confirm there is nothing to collect (it cost a fifth of the
replay). Memory is still freed by reference counting when the aggregates are dropped; only
reference cycles among what existed at the freeze are left for good, which a whole-log replay
(`rebuild_due_index`, `hotline rebuild`) does not make. `gc.unfreeze()` undoes it.
"""

from __future__ import annotations

import gc
import inspect
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from types import FunctionType
from typing import Any
from uuid import UUID

from eventsourcing.domain import CanMutateAggregate, DecoratedFuncCaller, decorated_funcs
from eventsourcing.persistence import Mapper, StoredEvent, find_id_convertor, pass_through_convertor
from eventsourcing.utils import resolve_topic

PAGE = 10_000


def replay(app: Any, *, topic_prefixes: tuple[str, ...] = (), page: int = PAGE) -> Iterator[Any]:
    """`app`'s stored events, decoded, in log order."""
    select, decode = app.recorder.select_notifications, event_decoder(app.mapper)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="replay") as reader:
        pending = reader.submit(select, 1, page)
        while notifications := pending.result():
            pending = reader.submit(select, notifications[-1].id + 1, page)
            wanted = ([n for n in notifications if n.topic.startswith(topic_prefixes)]
                      if topic_prefixes else notifications)
            yield from map(decode, wanted)


def event_decoder(mapper: Any) -> Callable[[StoredEvent], Any]:
    """`mapper.to_domain_event`, without its per-event look-ups: the same event (the decoded
    state as its `__dict__`, then its originator id and version, as the library does). The
    library's own method decodes what this one leaves to it: a mapper with a cipher or a
    compressor (or not the library's), an event class with a class version (upcasting), an
    originator id needing conversion, and a state that fails to decode (so its error is the
    library's)."""
    if type(mapper) is not Mapper or mapper.cipher or mapper.compressor:
        return mapper.to_domain_event
    library, decode_state = mapper.to_domain_event, mapper.transcoder.decode
    classes: dict[str, tuple[type, type] | None] = {}  # topic → (event class, its id's type)

    def plain_class(stored: StoredEvent) -> tuple[type, type] | None:
        cls, id_type = resolve_topic(stored.topic), type(stored.originator_id)
        if (getattr(cls, "class_version", 1) != 1
                or find_id_convertor(cls, id_type) is not pass_through_convertor):
            return None
        return cls, id_type

    def to_domain_event(stored: StoredEvent) -> Any:
        try:
            plain = classes[stored.topic]
        except KeyError:
            plain = classes[stored.topic] = plain_class(stored)
        if plain is None or type(stored.originator_id) is not plain[1]:
            return library(stored)
        try:
            state = decode_state(stored.state)
        except Exception:
            return library(stored)
        state["originator_id"] = stored.originator_id
        state["originator_version"] = stored.originator_version
        state.pop("class_version", None)  # as the library: a stored class version is not state
        event = object.__new__(plain[0])
        object.__setattr__(event, "__dict__", state)
        return event

    return to_domain_event


def fold(events: Iterable[Any]) -> dict[UUID, Any]:
    """Each aggregate as its events make it (the latest version of every one)."""
    aggregates: dict[UUID, Any] = {}
    mutators: dict[type, Callable[[Any, Any], Any]] = {}  # event class → its mutate
    with collector_paused():
        for event in events:
            try:
                mutate = mutators[type(event)]
            except KeyError:
                mutate = mutators[type(event)] = event_mutator(type(event))
            aggregates[event.originator_id] = mutate(event, aggregates.get(event.originator_id))
    return aggregates


def event_mutator(event_class: type) -> Callable[[Any, Any], Any]:
    """`event_class.mutate`, unbound. For the event of a method decorated with `@event` (whose
    class changes nothing else of the library's), the library's own steps without what it looks
    up for every event: the decorated method and its parameter names, found once per class. It
    checks the event's id and version as the library does, and leaves to the library whatever
    does not pass (so its errors are the library's)."""
    library = event_class.mutate
    method = _decorated_method(event_class)
    if method is None:
        return library
    names = frozenset(inspect.signature(method).parameters)

    def mutate(event: Any, aggregate: Any) -> Any:
        if (aggregate is None or event.originator_id != aggregate.id
                or event.originator_version != aggregate.version + 1):
            return library(event, aggregate)
        method(aggregate, **{k: v for k, v in event.__dict__.items() if k in names})
        aggregate.version = event.originator_version
        aggregate.modified_on = event.timestamp
        return aggregate

    return mutate


def _decorated_method(event_class: type) -> FunctionType | None:
    """The function `event_class`'s events call (`DecoratedFuncCaller.apply`), when the class
    mutates as the library's `CanMutateAggregate` and applies only by calling it."""
    if (getattr(event_class, "mutate", None) is not CanMutateAggregate.mutate
            or getattr(event_class, "apply", None) is not DecoratedFuncCaller.apply
            or getattr(event_class, "_as_dict", None) is not CanMutateAggregate._as_dict):
        return None
    method = decorated_funcs.get(event_class)
    after = event_class.__mro__[event_class.__mro__.index(DecoratedFuncCaller) + 1:]
    then = next((c.__dict__["apply"] for c in after if "apply" in c.__dict__), None)
    if type(method) is not FunctionType or then is not CanMutateAggregate.__dict__["apply"]:
        return None  # `apply` goes on to another class's, or the method is not a plain function
    return method


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block; after it, what was built is frozen
    (never walked again) and the collector on again if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()  # what was built stays: later collections need not walk it again
            gc.enable()


def topic_prefix(aggregate_class: type) -> str:
    """The stored topic prefix of `aggregate_class`'s events (`module:Class.`)."""
    return f"{aggregate_class.__module__}:{aggregate_class.__qualname__}."
