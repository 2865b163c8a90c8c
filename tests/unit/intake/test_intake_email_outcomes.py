"""Every accepted email gets one definite outcome, committed before the SMTP answer: a ticket, a
rejection (answered unless over the reply limit), an ignored automatic email (never answered) or
a duplicate. Regression tests of issue 9, on in-memory persistence."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from eventsourcing.persistence import IntegrityError

from hotline.clock import FixedClock
from hotline.contracts.envelope import CloudEvent
from hotline.eventstore import popo_env
from hotline_intake import screening
from hotline_intake.admission import SubmissionLimits
from hotline_intake.entrypoints.smtp import answer
from hotline_intake.submissions import Duplicate, Ignored, Opened, Rejected
from hotline_notifier.application import NotifierApplication
from intake_fakes import (
    ACME_NOC,
    ACME_SUBJECT,
    NUL_CHARSET,
    WED_1000_PT,
    blind_first_look,
    email,
    make_app,
    make_submissions,
    published,
)

def replies_owed(events: list[CloudEvent]) -> list[str]:
    """Whom notifier would write to, given these intake events."""
    notifier = NotifierApplication(env=popo_env())
    for position, event in enumerate(events, start=1):
        notifier.take(CloudEvent(**{**event.__dict__, "position": position}))
    return [n.recipient for n in _notifications(notifier)]


def _notifications(notifier: NotifierApplication) -> list:
    found = []
    for notification in notifier.recorder.select_notifications(start=1, limit=1000):
        event = notifier.mapper.to_domain_event(notification)
        if type(event).__name__ == "Requested":
            found.append(notifier.repository.get(event.originator_id))
    return found


async def test_a_charset_with_a_nul_is_a_rejection_with_a_reply_not_a_451():
    submissions = make_submissions()
    outcome = await submissions.receive_email(NUL_CHARSET, ACME_NOC)
    assert isinstance(outcome, Rejected) and outcome.reason == "not_utf8"
    assert outcome.reply_to == ACME_NOC and outcome.reply
    assert answer(outcome) == "250 OK not a ticket (not_utf8); a reply explains why"
    assert replies_owed(published(submissions.app)) == [ACME_NOC]


def _report(kind: str) -> bytes:
    return (b"From: MAILER-DAEMON@mx.acme.example\r\nSubject: Undelivered Mail\r\n"
            b"Message-ID: <r1@mx.acme.example>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/report; report-type=" + kind.encode() + b"; boundary=B\r\n\r\n"
            b"--B\r\nContent-Type: text/plain\r\n\r\nThis is the mail system.\r\n"
            b"--B\r\nContent-Type: message/" + kind.encode() + b"\r\n\r\n"
            b"Reporting-MTA: dns; mx.acme.example\r\n--B--\r\n")


LOOPS = {
    "auto_submitted": (email(Auto_Submitted="auto-replied"), ACME_NOC),
    "auto_submitted (generated)": (email(Auto_Submitted="auto-generated; owner=x"), ACME_NOC),
    "bulk_precedence": (email(Precedence="bulk"), ACME_NOC),
    "bulk_precedence (list)": (email(Precedence="List"), ACME_NOC),
    "bulk_precedence (junk)": (email(Precedence="junk"), ACME_NOC),
    "null_reverse_path": (email(), "<>"),
    "null_reverse_path (empty)": (email(subject="help"), ""),
    "own_address": (email(sender="Hotline Support <support@hotline.example>"), "x@y.example"),
    "own_address (envelope)": (email(sender="eve@evil.example"), "SUPPORT@hotline.example"),
    "delivery_report": (_report("delivery-status"), "postmaster@acme.example"),
    "delivery_report (read receipt)": (_report("disposition-notification"), ACME_NOC),
}


@pytest.mark.parametrize("case", list(LOOPS))
async def test_automatic_mail_is_ignored_and_never_answered(case):
    raw, mail_from = LOOPS[case]
    submissions = make_submissions()
    outcome = await submissions.receive_email(raw, mail_from)
    assert isinstance(outcome, Ignored)
    assert outcome.reason == case.split()[0]
    assert answer(outcome) == f"250 OK ignored ({outcome.reason}); no reply is sent"
    events = published(submissions.app)
    assert [e.type for e in events] == ["hotline.submission.ignored.v1"]
    assert events[0].data.reason == outcome.reason and events[0].data.detail
    assert replies_owed(events) == []


async def test_automatic_mail_is_ignored_even_when_it_cannot_be_read():
    raw = b"From: MAILER-DAEMON@mx.example\r\nContent-Type: multipart/mixed\r\n\r\n\xff\xfe"
    outcome = await make_submissions().receive_email(raw, "<>")
    assert isinstance(outcome, Ignored) and outcome.reason == "null_reverse_path"


async def test_auto_submitted_no_is_a_person():
    outcome = await make_submissions().receive_email(email(Auto_Submitted="no"), ACME_NOC)
    assert isinstance(outcome, Opened)


async def test_rejection_replies_are_limited_per_address_but_every_rejection_is_recorded():
    submissions = make_submissions(limits=SubmissionLimits(replies_per_hour=2))
    outcomes = [await submissions.receive_email(email(subject="help", message_id=f"<h{i}@x>"),
                                                ACME_NOC) for i in range(4)]
    assert [o.reply for o in outcomes] == [True, True, False, False]
    assert answer(outcomes[-1]) == "250 OK not a ticket (malformed_subject); no reply is sent"
    events = published(submissions.app)
    assert [e.data.reply for e in events] == [True, True, False, False]
    assert replies_owed(events) == [ACME_NOC, ACME_NOC]


async def test_the_reply_limit_is_per_hour():
    clock = FixedClock(WED_1000_PT)
    submissions = make_submissions(make_app(clock), limits=SubmissionLimits(replies_per_hour=1))
    first = await submissions.receive_email(email(subject="help", message_id="<a@x>"), ACME_NOC)
    clock.set(WED_1000_PT + timedelta(minutes=59))
    second = await submissions.receive_email(email(subject="help", message_id="<b@x>"), ACME_NOC)
    clock.set(WED_1000_PT + timedelta(minutes=61))
    third = await submissions.receive_email(email(subject="help", message_id="<c@x>"), ACME_NOC)
    assert (first.reply, second.reply, third.reply) == (True, False, True)


async def test_new_tickets_per_customer_are_limited_over_every_channel():
    submissions = make_submissions(limits=SubmissionLimits(tickets_per_customer_per_hour=2))
    first = await submissions.receive_email(email(message_id="<1@x>"), ACME_NOC)
    second = await submissions.receive_request(
        customer="Acme Corp", location="100 Main St, Springfield", issue="Echo",
        description="echo", priority=2, contact=ACME_NOC)
    third = await submissions.receive_email(email(message_id="<3@x>"), ACME_NOC)
    other = await submissions.receive_email(
        email("Globex Telecom – 42 Harbor Rd, Shelbyville – Down – P1", "support@globex.example"),
        "support@globex.example")
    assert isinstance(first, Opened) and isinstance(second, Opened) and isinstance(other, Opened)
    assert isinstance(third, Rejected) and third.reason == "rate_limited" and third.reply
    assert "Acme Corp has opened 2 tickets in the last hour" in third.detail


async def test_unlimited_when_the_limits_are_zero():
    submissions = make_submissions(limits=SubmissionLimits(0, 0))
    for i in range(8):
        assert isinstance(await submissions.receive_email(email(message_id=f"<{i}@x>"), ACME_NOC), Opened)
        rejected = await submissions.receive_email(email(subject="x", message_id=f"<r{i}@x>"), ACME_NOC)
        assert rejected.reply


async def test_the_same_message_id_twice_opens_one_ticket_and_records_a_duplicate():
    submissions = make_submissions()
    first = await submissions.receive_email(email(), ACME_NOC)
    again = await submissions.receive_email(email(body="resent"), ACME_NOC)
    assert isinstance(first, Opened) and isinstance(again, Duplicate)
    assert again.original.ticket_number == first.ticket.number
    assert answer(again) == f"250 OK duplicate of ticket {first.ticket.number}; nothing new is opened"
    events = published(submissions.app)
    assert [e.type for e in events] == ["hotline.ticket.opened.v1", "hotline.submission.duplicate.v1"]
    duplicate = events[1].data
    assert duplicate.original_ticket_number == first.ticket.number
    assert duplicate.original_submission_id == first.ticket.id
    assert duplicate.original_outcome == "ticket" and events[1].subject == first.ticket.number
    assert replies_owed(events) == [ACME_NOC]  # the one confirmation


async def test_a_resent_rejection_is_a_duplicate_and_not_answered_twice():
    submissions = make_submissions()
    await submissions.receive_email(email(subject="help"), ACME_NOC)
    again = await submissions.receive_email(email(subject="help"), ACME_NOC)
    assert isinstance(again, Duplicate) and again.original.outcome == "rejected"
    assert replies_owed(published(submissions.app)) == [ACME_NOC]


async def test_message_ids_are_per_sender_and_per_window():
    clock = FixedClock(WED_1000_PT)
    submissions = make_submissions(make_app(clock))
    await submissions.receive_email(email(), ACME_NOC)
    globex = email("Globex Telecom – 42 Harbor Rd, Shelbyville – Down – P1", "support@globex.example")
    assert isinstance(await submissions.receive_email(globex, "support@globex.example"), Opened)
    clock.set(WED_1000_PT + timedelta(days=7, seconds=1))
    assert isinstance(await submissions.receive_email(email(), ACME_NOC), Opened)
    assert isinstance(await submissions.receive_email(email(), ACME_NOC), Duplicate)


async def test_a_race_lost_on_the_submission_log_key_is_recorded_as_a_duplicate():
    submissions = make_submissions()
    first = await submissions.receive_email(email(), ACME_NOC)
    blind_first_look(submissions.app)
    again = await submissions.receive_email(email(), ACME_NOC)
    assert isinstance(again, Duplicate) and again.original.ticket_number == first.ticket.number
    assert [e.type for e in published(submissions.app)].count("hotline.ticket.opened.v1") == 1


async def test_a_store_failure_is_not_mistaken_for_a_duplicate(monkeypatch):
    submissions = make_submissions()

    def broken(*args, **kwargs):
        raise IntegrityError("the store is broken")

    monkeypatch.setattr(submissions.app, "open_ticket", broken)
    with pytest.raises(IntegrityError):
        await submissions.receive_email(email(), ACME_NOC)


async def test_control_characters_in_a_subject_make_a_one_line_issue():
    subject = "Acme Corp – 100 Main St, Springfield – No dial\r\n tone\tat\x00all \u2028lines – P1"
    raw = (b"From: noc@acme.example\r\nSubject: " + subject.encode() + b"\r\n\r\nDead.\r\n")
    outcome = await make_submissions().receive_email(raw, ACME_NOC)
    assert isinstance(outcome, Opened)
    assert outcome.ticket.issue == "No dial tone at all lines"


async def test_a_long_issue_is_cut_at_200_characters_without_complaint():
    words = " ".join(f"word{i}" for i in range(100))
    outcome = await make_submissions().receive_email(
        email(f"Acme Corp – 100 Main St, Springfield – {words} – P2"), ACME_NOC)
    assert isinstance(outcome, Opened)
    assert len(outcome.ticket.issue) <= 200 and words.startswith(outcome.ticket.issue)


async def test_reading_runs_off_the_loop_with_a_time_limit(monkeypatch):
    def slow_parse(*args, **kwargs):
        time.sleep(1.5)
        raise AssertionError("too late to matter")

    monkeypatch.setattr(screening, "parse_email", slow_parse)
    submissions = make_submissions(read_timeout=0.3)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    beat = asyncio.create_task(ticker())
    started = time.monotonic()
    outcome = await submissions.receive_email(email(), ACME_NOC)
    beat.cancel()
    assert time.monotonic() - started < 1.0
    assert ticks >= 10  # the loop went on while the email was being read
    assert isinstance(outcome, Rejected) and outcome.reason == "read_timeout"
    assert "could not be read in time" in outcome.detail and outcome.reply_to == ACME_NOC


async def test_a_bug_while_reading_is_a_rejection_not_a_retry(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(screening, "parse_email", broken)
    outcome = await make_submissions().receive_email(email(), ACME_NOC)
    assert isinstance(outcome, Rejected) and outcome.reason == "malformed"


async def test_email_events_record_the_sender_as_actor():
    submissions = make_submissions()
    opened = await submissions.receive_email(email(), ACME_NOC)
    await submissions.receive_email(email(subject="help", message_id="<2@x>"), ACME_NOC)
    await submissions.receive_email(email(Precedence="bulk", message_id="<3@x>"), ACME_NOC)
    await submissions.receive_email(email(), ACME_NOC)
    actors = [e.data.actor.model_dump() for e in published(submissions.app)]
    assert actors == [{"name": ACME_NOC, "role": "email"}] * 4
    assert opened.ticket.contact == ACME_NOC


@pytest.mark.parametrize("charset, payload", [("unicode_escape", b"\\ud800 broken"),
                                              ("utf-7", b"+2AA- broken")])
async def test_text_that_decodes_to_lone_surrogates_is_not_valid_text(charset, payload):
    raw = (b"From: noc@acme.example\r\nSubject: " + ACME_SUBJECT.encode() + b"\r\n"
           b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n\r\n" + payload)
    outcome = await make_submissions().receive_email(raw, ACME_NOC)
    assert isinstance(outcome, Rejected) and outcome.reason == "not_utf8"


async def test_a_garbled_envelope_sender_is_no_address_but_not_an_empty_reverse_path():
    outcome = await make_submissions().receive_email(b"\x00", "x\x00y@z")
    assert isinstance(outcome, Rejected) and outcome.reply_to is None
