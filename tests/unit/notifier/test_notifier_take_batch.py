"""`take_batch` owes exactly what `take` owes event by event: the same notifications (kind,
recipient, threading) and the same ticket records, when a batch holds several events of one
ticket (a later one reads what an earlier one did to the ticket's record) and an event about no
ticket; a batch taken again owes nothing, nor does an event published again under another
position."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

from hotline import contracts
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_notifier.application import NotifierApplication, _runs
from hotline_notifier.domain.notification import Notification
from hotline_notifier.domain.ticket_record import TicketRecord

NOW = datetime(2026, 11, 30, 17, 0, tzinfo=timezone.utc)
CONTACT = "noc@acme.example"


def event(data, position: int, ce_id: str | None = None) -> CloudEvent:
    return CloudEvent(id=ce_id or f"intake:{position}", source="/hotline/intake", type=data.ce_type,
                      time=NOW, subject=getattr(data, "ticket_number", None) or "submission",
                      position=position, data=data)


def opened(ticket_id: UUID, number: str) -> contracts.TicketOpened:
    return contracts.TicketOpened(
        ticket_id=ticket_id, ticket_number=number, customer="Acme Corp", location="100 Main St",
        issue="Calls drop", description="d", priority=2, channel="email", contact=CONTACT,
        received_at=NOW, off_hours=False, message_id=f"<{number}@acme.example>")


def reply(ticket_id: UUID, number: str) -> contracts.CommentAdded:
    return contracts.CommentAdded(
        ticket_id=ticket_id, ticket_number=number, at=NOW + timedelta(minutes=30),
        comment_id=uuid4(), author="alice@hotline.example", author_kind="agent",
        visibility="public", text="On it.", message_id=None, channel="http")


def resolved(ticket_id: UUID, number: str) -> contracts.TicketResolved:
    return contracts.TicketResolved(ticket_id=ticket_id, ticket_number=number,
                                    at=NOW + timedelta(hours=2), note="Fixed.")


def rejected() -> contracts.SubmissionRejected:
    return contracts.SubmissionRejected(
        submission_id=uuid4(), channel="email", sender="someone@acme.example", subject="help",
        reason="malformed_subject", detail="The subject has no priority.",
        expected_format="CUSTOMER Name – Location Address – Issue Description – Priority Level",
        received_at=NOW)


def the_events() -> list[CloudEvent]:
    one, two = uuid4(), uuid4()
    bodies = [opened(one, "T-000101"), opened(two, "T-000102"), reply(one, "T-000101"),
              rejected(), resolved(two, "T-000102"), reply(one, "T-000101")]
    return [event(body, position) for position, body in enumerate(bodies, start=1)]


def owed(app: NotifierApplication) -> list[tuple]:
    ids = {n.originator_id for n in app.recorder.select_notifications(1, 10_000)}
    found = [a for a in map(app.repository.get, ids) if isinstance(a, Notification)]
    return sorted((n.kind, n.recipient, n.ticket_number, n.subject, n.message_id,
                   tuple(sorted((n.headers or {}).items()))) for n in found)


def records(app: NotifierApplication, events: list[CloudEvent]) -> dict[UUID, dict]:
    ids = {e.data.ticket_id for e in events if hasattr(e.data, "ticket_id")}
    found = {i: app.repository.get(i) for i in ids}
    return {i: {k: v for k, v in vars(r).items() if k not in ("_created_on", "_modified_on")}
            for i, r in found.items() if isinstance(r, TicketRecord)}


def test_a_batch_owes_what_its_events_owe_one_by_one() -> None:
    events = the_events()
    one_by_one, batched = NotifierApplication(env=popo_env()), NotifierApplication(env=popo_env())
    for e in events:
        one_by_one.take(e)
    assert batched.take_batch(events, [{}] * len(events)) == len(events)
    assert owed(batched) == owed(one_by_one)
    kinds = [kind for kind, *_ in owed(batched)]
    assert kinds.count("confirmation") == 2 and kinds.count("rejection") == 1
    assert records(batched, events) == records(one_by_one, events)
    # The record saw both of its replies in order: the second answers the first.
    assert len(records(batched, events)) == 2


def test_a_batch_taken_again_or_republished_owes_nothing_new() -> None:
    events = the_events()
    app = NotifierApplication(env=popo_env())
    app.take_batch(events, [{}] * len(events))
    before = owed(app)
    assert app.take_batch(events, [{}] * len(events)) == 0
    again = [event(e.data, e.position + 100, ce_id=e.id) for e in events]  # new positions
    assert app.take_batch(again, [{}] * len(again)) == len(again)
    assert owed(app) == before


def test_runs_never_hold_a_ticket_twice_and_an_event_about_no_ticket_stands_alone() -> None:
    events = the_events()
    taken = [(e.position, e, {}) for e in events]
    runs = [[e.position for _, e, _ in run] for run in _runs(taken)]  # type: ignore[arg-type]
    assert runs == [[1, 2], [3], [4], [5, 6]]
    assert [p for run in runs for p in run] == [1, 2, 3, 4, 5, 6]
