"""The conversation on a ticket (issue 11): customer replies thread into their ticket by subject
tag or by the Message-IDs Hotline sent; agents reply. Given / when / then, in memory."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from hotline.clock import FixedClock
from hotline_intake.domain.thread import follow_up_issue, thread_reference
from hotline_intake.domain.ticket import TicketRuleViolation
from hotline_intake.entrypoints.http import TicketView
from hotline_intake.entrypoints.smtp import answer
from hotline_intake.submissions import Commented, Opened, Rejected
from intake_fakes import ACME_NOC, WED_1000_PT, email, make_app, make_submissions, published

GLOBEX = "support@globex.example"
QUOTED = ("Lines are back, thanks.\n\nOn Wed, 18 Nov 2026 at 10:00, Hotline Support "
          "<support@hotline.example> wrote:\n> Your ticket T-000001 was opened.\n")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(WED_1000_PT)


@pytest.fixture
def submissions(clock):
    return make_submissions(make_app(clock))


async def opened(submissions) -> str:
    outcome = await submissions.receive_email(email(message_id="<first@acme.example>"), ACME_NOC)
    assert isinstance(outcome, Opened)
    return outcome.ticket.number


def events(app, number):
    ticket = app.get_ticket(number)
    return [type(e).__name__ for e in app.repository.event_store.get(ticket.id)]


# -- which ticket an email answers ------------------------------------------------------------
@pytest.mark.parametrize(("subject", "in_reply_to", "references", "number"), [
    ("Re: [T-000002] Acme Corp – 100 Main St – No dial tone – Priority 1", None, (), "T-000002"),
    ("[t-000042] more logs", None, (), "T-000042"),
    ("RE: Fwd: T-000007 still broken", None, (), "T-000007"),
    ("Re: whatever", "<T-000003.0b1c@hotline.notifier>", (), "T-000003"),
    ("Re: whatever", None, ("<a@acme.example>", "<T-000004.9f@hotline.notifier>"), "T-000004"),
    ("Acme Corp – 100 Main St – No dial tone – Priority 1", None, (), None),
    ("T-000007 in a new subject is no reply", None, (), None),
    ("Re: whatever", "<T-000003.x@elsewhere.example>", (), None),
])
def test_an_email_replies_to_a_ticket_by_subject_tag_or_hotline_message_id(
        subject, in_reply_to, references, number):
    found = thread_reference(subject, in_reply_to, references)
    assert (found.ticket_number if found else None) == number


def test_a_follow_up_issue_names_the_old_ticket_and_drops_tags():
    assert follow_up_issue("T-000001", "Re: [T-000001] No dial tone", "old") == \
        "Follow-up of T-000001: No dial tone"
    assert follow_up_issue("T-000001", "Re: [T-000001]", "No dial tone") == \
        "Follow-up of T-000001: No dial tone"


# -- emails ----------------------------------------------------------------------------------
async def test_a_tagged_reply_is_a_comment_never_a_new_ticket(submissions, clock):
    number = await opened(submissions)
    clock.advance(timedelta(minutes=5))
    outcome = await submissions.receive_email(email(
        subject=f"Re: [{number}] Acme Corp – 100 Main St, Springfield – No dial tone – Priority 1",
        body=QUOTED, message_id="<r1@acme.example>", In_Reply_To="<x@hotline.example>"), ACME_NOC)
    assert isinstance(outcome, Commented) and outcome.ticket.number == number
    assert answer(outcome) == f"250 OK added to ticket {number}"
    comment = submissions.app.get_ticket(number).comments[0]
    assert comment["author"] == ACME_NOC and comment["author_kind"] == "customer"
    assert (comment["visibility"], comment["channel"]) == ("public", "email")
    assert "> Your ticket" in comment["text"]  # kept whole, quoted history included
    assert comment["message_id"] == "<r1@acme.example>" and comment["in_reply_to"] == "<x@hotline.example>"
    assert comment["at"] == WED_1000_PT + timedelta(minutes=5)
    view = TicketView.of(submissions.app.get_ticket(number))
    assert view.conversation[0].text == "Lines are back, thanks."
    assert "> Your ticket" in view.conversation[0].full_text
    assert [e.type for e in published(submissions.app)][-1] == "hotline.ticket.comment-added.v1"
    assert published(submissions.app)[-1].data.author_kind == "customer"


async def test_a_reply_found_by_references_only_is_a_comment(submissions):
    number = await opened(submissions)
    outcome = await submissions.receive_email(email(
        subject="Re: your ticket", body="More detail.", message_id="<r2@acme.example>",
        References=f"<first@acme.example> <{number}.{uuid4()}@hotline.notifier>"), ACME_NOC)
    assert isinstance(outcome, Commented) and outcome.ticket.number == number


async def test_the_same_reply_twice_adds_one_comment(submissions):
    number = await opened(submissions)
    reply = email(subject=f"Re: [{number}]", body="again", message_id="<r3@acme.example>")
    first = await submissions.receive_email(reply, ACME_NOC)
    second = await submissions.receive_email(reply, ACME_NOC)
    assert isinstance(first, Commented) and not first.resent
    assert isinstance(second, Commented) and second.resent
    assert len(submissions.app.get_ticket(number).comments) == 1


async def test_a_reply_to_an_unknown_ticket_is_rejected(submissions):
    outcome = await submissions.receive_email(
        email(subject="Re: [T-000999] hello", body="hi"), ACME_NOC)
    assert isinstance(outcome, Rejected) and outcome.reason == "unknown_ticket"
    assert outcome.reply_to == ACME_NOC
    assert published(submissions.app)[-1].data.ticket_number == "T-000999"


async def test_a_reply_to_another_customers_ticket_is_rejected(submissions):
    number = await opened(submissions)
    outcome = await submissions.receive_email(
        email(subject=f"Re: [{number}]", body="hi", sender=GLOBEX), GLOBEX)
    assert isinstance(outcome, Rejected) and outcome.reason == "other_customers_ticket"
    assert outcome.reply_to == GLOBEX
    assert submissions.app.get_ticket(number).comments == []


async def test_a_reply_from_an_unregistered_address_is_rejected_and_the_contact_told(submissions):
    number = await opened(submissions)
    outcome = await submissions.receive_email(
        email(subject=f"Re: [{number}]", body="hi", sender="eve@elsewhere.example"),
        "eve@elsewhere.example")
    assert isinstance(outcome, Rejected) and outcome.reason == "not_a_contact_of_ticket"
    assert outcome.reply_to == ACME_NOC and outcome.reply
    rejected = published(submissions.app)[-1].data
    assert (rejected.sender, rejected.notify, rejected.ticket_number) == (
        "eve@elsewhere.example", ACME_NOC, number)
    assert submissions.app.get_ticket(number).comments == []


async def test_a_reply_while_waiting_on_the_customer_ends_the_wait_at_its_receipt(submissions, clock):
    number = await opened(submissions)
    clock.advance(timedelta(minutes=10))
    submissions.app.change_ticket(number, "waiting-on-customer")
    clock.advance(timedelta(minutes=10))
    await submissions.receive_email(email(subject=f"Re: [{number}]", body="here"), ACME_NOC)
    assert events(submissions.app, number)[-2:] == ["CommentAdded", "CustomerResponded"]
    responded = published(submissions.app)[-1]
    assert responded.type == "hotline.ticket.customer-responded.v1"
    assert responded.data.at == WED_1000_PT + timedelta(minutes=20)
    assert not submissions.app.get_ticket(number).waiting_on_customer


async def test_a_reply_to_a_resolved_ticket_reopens_it(submissions, clock):
    number = await opened(submissions)
    clock.advance(timedelta(minutes=10))
    submissions.app.change_ticket(number, "resolve")
    clock.advance(timedelta(minutes=10))
    await submissions.receive_email(email(subject=f"Re: [{number}]", body="still down"), ACME_NOC)
    assert events(submissions.app, number)[-2:] == ["CommentAdded", "Reopened"]
    ticket = submissions.app.get_ticket(number)
    assert ticket.status == "open" and ticket.last_change_at == WED_1000_PT + timedelta(minutes=20)


async def test_with_reply_reopens_off_a_resolved_ticket_only_gets_the_comment(clock):
    submissions = make_submissions(make_app(clock), reply_reopens=False)
    number = await opened(submissions)
    submissions.app.change_ticket(number, "resolve")
    await submissions.receive_email(email(subject=f"Re: [{number}]", body="thanks"), ACME_NOC)
    assert events(submissions.app, number)[-1] == "CommentAdded"
    assert submissions.app.get_ticket(number).status == "resolved"


async def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(submissions, clock):
    number = await opened(submissions)
    submissions.app.change_ticket(number, "priority", priority=2)
    submissions.app.change_ticket(number, "resolve")
    submissions.app.change_ticket(number, "close")
    outcome = await submissions.receive_email(
        email(subject=f"Re: [{number}] No dial tone", body="It is back", message_id="<r9@acme.example>"),
        ACME_NOC)
    assert isinstance(outcome, Opened) and outcome.ticket.number != number
    follow_up = outcome.ticket
    assert follow_up.follow_up_of == number
    assert (follow_up.customer, follow_up.location, follow_up.priority) == (
        "Acme Corp", "100 Main St, Springfield", 2)
    assert follow_up.issue == f"Follow-up of {number}: No dial tone"
    assert published(submissions.app)[-1].data.follow_up_of == number
    assert submissions.app.get_ticket(number).comments == []


# -- the aggregate and agents --------------------------------------------------------------------
def test_an_agent_reply_and_an_internal_note_are_comments_in_order(clock):
    app = make_app(clock)
    number = app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield",
                             issue="Echo", description="echo", priority=3,
                             priority_defaulted=True, channel="http", contact=ACME_NOC).number
    app.reply(number, message="We are on it.", by="alice@hotline.example")
    clock.advance(timedelta(minutes=1))
    app.reply(number, message="Carrier ticket 42", internal=True,
              actor={"name": "bob", "role": "agent"})
    comments = app.get_ticket(number).comments
    assert [(c["author"], c["author_kind"], c["visibility"], c["channel"]) for c in comments] == [
        ("alice@hotline.example", "agent", "public", "http"), ("bob", "agent", "internal", "http")]
    assert comments[0]["comment_id"] != comments[1]["comment_id"]
    data = [e.data for e in published(app)][-1]
    assert (data.visibility, data.channel, data.actor.name) == ("internal", "http", "bob")


def test_a_closed_ticket_takes_internal_notes_only(clock):
    app = make_app(clock)
    number = app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield",
                             issue="Echo", description="echo", priority=3,
                             priority_defaulted=True, channel="http", contact=ACME_NOC).number
    app.change_ticket(number, "resolve")
    app.change_ticket(number, "close")
    with pytest.raises(TicketRuleViolation) as refused:
        app.reply(number, message="hello")
    assert refused.value.reason == "closed"
    app.reply(number, message="post-mortem filed", internal=True)
    assert len(app.get_ticket(number).comments) == 1


def test_a_long_comment_is_cut_and_says_so(clock):
    app = make_app(clock)
    number = app.open_ticket(customer="Acme Corp", location="100 Main St, Springfield",
                             issue="Echo", description="echo", priority=3,
                             priority_defaulted=True, channel="http", contact=ACME_NOC).number
    app.add_customer_reply(number, author=ACME_NOC, text="x" * 70_000, received_at=clock.now(),
                           message_id="<long@acme.example>")
    comment = app.get_ticket(number).comments[0]
    assert len(comment["text"]) == 65536 and comment["text_truncated"]
