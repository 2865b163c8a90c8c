"""Bounded fields: a description over 64 KiB is kept whole beside the event, which carries a
preview; HTTP submissions meet the same field limits in the service layer as in the HTTP model;
what an email echoes into events is bounded."""

from __future__ import annotations

import pytest

from hotline_intake.domain.fields import DESCRIPTION_INLINE_BYTES, Description, bounded_issue
from hotline_intake.submissions import Opened, Rejected
from intake_fakes import ACME_NOC, email, make_submissions, published

REQUEST = dict(customer="Acme Corp", location="100 Main St, Springfield", issue="Echo on calls",
               description="Echo since Monday.", priority=2, contact=ACME_NOC)


async def test_a_long_description_is_kept_whole_and_the_event_carries_a_preview():
    submissions = make_submissions()
    text = "é" * 40_000 + "the end"  # 80,007 bytes in UTF-8
    opened = await submissions.receive_request(**{**REQUEST, "description": text})
    assert isinstance(opened, Opened)
    [event] = published(submissions.app)
    assert event.data.description_truncated is True
    assert event.data.description_bytes == len(text.encode())
    assert len(event.data.description.encode()) <= DESCRIPTION_INLINE_BYTES
    assert text.startswith(event.data.description)
    assert submissions.app.full_description(opened.ticket.number) == text


async def test_a_short_description_is_carried_whole():
    submissions = make_submissions()
    opened = await submissions.receive_request(**REQUEST)
    [event] = published(submissions.app)
    assert (event.data.description, event.data.description_truncated) == ("Echo since Monday.", False)
    assert submissions.app.full_description(opened.ticket.number) == "Echo since Monday."


async def test_a_long_email_body_is_kept_whole_too():
    submissions = make_submissions()
    body = "traceroute hop\n" * 10_000
    opened = await submissions.receive_email(email(body=body), ACME_NOC)
    assert submissions.app.full_description(opened.ticket.number) == body.strip()
    assert published(submissions.app)[0].data.description_truncated


@pytest.mark.parametrize("field, value", [
    ("issue", "Echo\non calls"),
    ("issue", "x" * 201),
    ("issue", "tab\there"),
    ("customer", "A" * 201),
    ("location", "1" * 301),
    ("contact", "a" * 250 + "@x.example"),
    ("description", "\ud800"),
    ("priority", 7),
])
async def test_http_submissions_meet_the_field_limits(field, value):
    submissions = make_submissions()
    outcome = await submissions.receive_request(**{**REQUEST, field: value})
    assert isinstance(outcome, Rejected) and outcome.reason == "invalid_field"
    assert field in outcome.detail
    assert [e.type for e in published(submissions.app)] == ["hotline.submission.rejected.v1"]


async def test_http_events_record_the_callers_actor():
    submissions = make_submissions()
    actor = {"name": "ci-bot", "role": "agent"}
    opened = await submissions.receive_request(**REQUEST, actor=actor)
    rejected = await submissions.receive_request(**{**REQUEST, "customer": "Nobody"}, actor=actor)
    assert isinstance(opened, Opened) and isinstance(rejected, Rejected)
    assert [e.data.actor.model_dump() for e in published(submissions.app)] == [actor, actor]


async def test_what_an_email_echoes_into_a_rejection_is_bounded():
    submissions = make_submissions()
    long_subject = "help " * 1000
    raw = email(subject=long_subject, message_id="<" + "i" * 2000 + "@x>")
    await submissions.receive_email(raw, ACME_NOC)
    [event] = published(submissions.app)
    assert len(event.data.subject) <= 998 and len(event.data.detail) <= 2000
    assert len(event.data.message_id) <= 255


async def test_at_most_100_attachments_are_listed_and_the_rest_counted():
    from email.message import EmailMessage

    message = EmailMessage()
    message["From"] = ACME_NOC
    message["Subject"] = "Acme Corp – 100 Main St, Springfield – Logs – P3"
    message.set_content("Logs attached.")
    for i in range(103):
        message.add_attachment(b"x", maintype="application", subtype="octet-stream",
                               filename=f"log{i}.txt")
    submissions = make_submissions()
    opened = await submissions.receive_email(message.as_bytes(), ACME_NOC)
    assert isinstance(opened, Opened)
    [event] = published(submissions.app)
    assert len(event.data.attachments) == 100 and event.data.attachments_omitted == 3


def test_description_preview_cuts_at_a_character_boundary():
    text = "€" * 30_000  # 3 bytes each
    preview = Description.of(text)
    assert preview.truncated and preview.size == 90_000
    assert preview.preview == "€" * (DESCRIPTION_INLINE_BYTES // 3)


@pytest.mark.parametrize("raw, issue", [
    ("a\r\nb", "a b"), ("a\x00\x07b", "a b"), ("\u2029x\u0085y", "x y"), ("x" * 300, "x" * 200),
])
def test_bounded_issue(raw, issue):
    assert bounded_issue(raw) == issue
