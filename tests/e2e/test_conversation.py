"""Conversation, end to end (issue 11): an emailed reply threads into its ticket and opens
nothing new; a reply while waiting on the customer ends the wait at its receipt; a reply from an
unregistered address is rejected; a reply to a closed ticket opens a linked follow-up; agents
reply over HTTP."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from harness import headers_dict, kafka_messages
from smtp_client import email, send, ticket_number

pytestmark = pytest.mark.e2e
TICKETS = "hotline.tickets.v1"


async def open_by_email(stack) -> str:
    code, reply = await asyncio.to_thread(send, stack, email())
    assert code == 250
    return ticket_number(reply)


async def reply_by_email(stack, number: str, body: str, sender: str = "noc@acme.example",
                         **headers: str) -> str:
    message = email(subject=f"Re: [{number}] Acme Corp – 100 Main St, Springfield – No dial tone",
                    sender=sender, body=body)
    message["Message-ID"] = f"<{uuid.uuid4()}@acme.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    code, answer = await asyncio.to_thread(send, stack, message)
    assert code == 250
    return answer


async def ticket(stack, number: str) -> dict:
    async with stack.client("intake", "agent") as client:
        response = await client.get(f"/tickets/{number}")
    assert response.status_code == 200, response.text
    return response.json()


async def events_about(stack, subject: str, ce_type: str, count: int = 1) -> list[dict]:
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        records = await kafka_messages(stack.kafka_bootstrap, TICKETS, min_count=0)
        found = [json.loads(r.value) for r in records
                 if headers_dict(r).get("ce_subject") == subject and headers_dict(r)["ce_type"] == ce_type]
        if len(found) >= count or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.3)


async def test_a_reply_by_email_is_a_comment_on_its_ticket_not_a_new_ticket(stack):
    number = await open_by_email(stack)
    answer = await reply_by_email(
        stack, number, "Still no dial tone.\n\nOn Wed, Hotline Support wrote:\n> Ticket opened\n")
    assert answer.startswith(f"OK added to ticket {number}"), answer
    view = await ticket(stack, number)
    [comment] = view["conversation"]
    assert (comment["author"], comment["author_kind"], comment["visibility"], comment["channel"]) == (
        "noc@acme.example", "customer", "public", "email")
    assert comment["text"] == "Still no dial tone."
    assert "> Ticket opened" in comment["full_text"]
    [published] = await events_about(stack, number, "hotline.ticket.comment-added.v1")
    assert published["author"] == "noc@acme.example" and "> Ticket opened" in published["text"]

    answer = await reply_by_email(stack, number, "And by References only.",
                                  References=f"<{number}.{uuid.uuid4()}@hotline.notifier>")
    assert f"added to ticket {number}" in answer
    assert len((await ticket(stack, number))["conversation"]) == 2


async def test_a_reply_while_waiting_on_the_customer_ends_the_wait_at_its_receipt(stack):
    number = await open_by_email(stack)
    async with stack.client("intake", "agent") as client:
        response = await client.post(f"/tickets/{number}/waiting-on-customer")
    assert response.status_code == 200, response.text
    await reply_by_email(stack, number, "Here is the trace you asked for.")
    assert not (await ticket(stack, number))["waiting_on_customer"]
    [comment] = await events_about(stack, number, "hotline.ticket.comment-added.v1")
    [responded] = await events_about(stack, number, "hotline.ticket.customer-responded.v1")
    assert responded["at"] == comment["at"]  # both: the reply's receipt


async def test_a_reply_from_an_unregistered_address_is_rejected_and_the_contact_told(stack):
    number = await open_by_email(stack)
    since = stack.mail_count()
    answer = await reply_by_email(stack, number, "me too", sender="eve@elsewhere.example")
    assert "not_a_contact_of_ticket" in answer, answer
    assert (await ticket(stack, number))["conversation"] == []
    [told] = await stack.wait_for_mail(
        lambda m: f"not added to ticket {number}" in " ".join(str(m["Subject"]).split()),
        since=since, timeout=30)
    assert told["To"] == "noc@acme.example"  # the registered contact, not the stranger
    assert "eve@elsewhere.example" in told.get_body(("plain",)).get_content()
    assert not [m for m in stack.mails(since) if "eve@elsewhere.example" in (m["To"] or "")]


async def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(stack):
    number = await open_by_email(stack)
    async with stack.client("intake", "agent") as client:
        for command in ("resolve", "close"):
            response = await client.post(f"/tickets/{number}/{command}")
            assert response.status_code == 200, response.text
    answer = await reply_by_email(stack, number, "It is broken again.")
    follow_up = ticket_number(answer)
    assert follow_up != number
    view = await ticket(stack, follow_up)
    assert view["follow_up_of"] == number and view["issue"].startswith(f"Follow-up of {number}: ")
    [opened] = await events_about(stack, follow_up, "hotline.ticket.opened.v1")
    assert opened["follow_up_of"] == number


async def test_agents_reply_and_note_over_http(stack):
    number = await open_by_email(stack)
    async with stack.client("intake", "agent") as client:
        public = await client.post(f"/tickets/{number}/replies",
                                   json={"message": "We are on it.", "by": "alice@hotline.example"})
        note = await client.post(f"/tickets/{number}/replies",
                                 json={"message": "Carrier ticket 42", "internal": True})
        empty = await client.post(f"/tickets/{number}/replies", json={"message": ""})
    assert public.status_code == 200 and note.status_code == 200, (public.text, note.text)
    assert empty.status_code == 422
    conversation = note.json()["conversation"]
    assert [(c["author_kind"], c["visibility"], c["channel"]) for c in conversation] == [
        ("agent", "public", "http"), ("agent", "internal", "http")]
    assert conversation[0]["author"] == "alice@hotline.example"
