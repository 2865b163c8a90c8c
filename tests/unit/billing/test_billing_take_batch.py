"""`take_batch` keeps the same ticket accounts as `take` event by event, when one batch opens
tickets and changes the priority of one it opened (the change sees the opening), and a batch
taken again changes nothing."""

from __future__ import annotations

from billing_fakes import envelope, make_app, opened, reprioritised

from hotline.contracts.tickets import ticket_id_for


def the_events() -> list:
    return [envelope(opened("T-000201", priority=4)), envelope(opened("T-000202", priority=3)),
            envelope(reprioritised("T-000201", 4, 2)), envelope(opened("T-000203", priority=4)),
            envelope(reprioritised("T-000203", 4, 1))]


def accounts(app) -> dict[str, dict]:
    found = {}
    for number in ("T-000201", "T-000202", "T-000203"):
        account = app.repository.get(ticket_id_for(number))
        found[number] = {k: v for k, v in vars(account).items()
                         if k not in ("_created_on", "_modified_on")}
    return found


def test_a_batch_keeps_the_accounts_its_events_keep_one_by_one() -> None:
    events = the_events()
    one_by_one, batched = make_app(), make_app()
    for event in events:
        one_by_one.take(event)
    assert batched.take_batch(events) == len(events)
    assert accounts(batched) == accounts(one_by_one)
    assert accounts(batched)["T-000201"]["priority"] == 2
    assert accounts(batched)["T-000203"]["priority"] == 1


def test_a_batch_taken_again_changes_nothing() -> None:
    events = the_events()
    app = make_app()
    app.take_batch(events)
    logged = len(app.recorder.select_notifications(1, 1000))
    assert app.take_batch(events) == 0
    assert len(app.recorder.select_notifications(1, 1000)) == logged
