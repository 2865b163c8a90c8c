"""How each channel reads an attempt: SMTP errors classified (the message's trouble, transient or
permanent, or the relay's), and webhooks signed so that both an HMAC check and a Standard
Webhooks verifier accept them, with 2xx delivered and anything else retried."""

from __future__ import annotations

import hashlib
import hmac
import json
from uuid import uuid4

import aiosmtplib
import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from hotline_notifier.adapters.smtp_replies import outcome_of
from hotline_notifier.adapters.webhook import WebhookSender, standard_webhooks_secret
from hotline_notifier.domain.delivery import Delivered, RelayDown, Undelivered
from hotline_notifier.domain.notification import Notification

# -- SMTP ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("error", "permanent", "says"), [
    (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(
        450, "4.2.0 Greylisted, try again later", "slow@acme.example")]), False, "RCPT 450"),
    (aiosmtplib.SMTPRecipientRefused(451, "4.3.0 Try later", "a@b.example"), False, "RCPT 451"),
    (aiosmtplib.SMTPDataError(452, "4.3.1 Insufficient storage"), False, "DATA 452"),
    (aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(
        550, "5.1.1 No such user", "gone@acme.example")]), True, "RCPT 550"),
    (aiosmtplib.SMTPDataError(554, "5.7.1 Message rejected"), True, "DATA 554"),
    (aiosmtplib.SMTPSenderRefused(553, "5.7.1 Sender not allowed", "support@hotline.example"),
     True, "MAIL 553"),
    (aiosmtplib.SMTPTimeoutError("Timed out waiting for server response"), False, "Timeout"),
])
def test_a_reply_to_the_message_is_its_own_outcome(error, permanent, says):
    outcome = outcome_of(error)
    assert isinstance(outcome, Undelivered) and outcome.permanent is permanent
    assert says in outcome.reason


@pytest.mark.parametrize("error", [
    aiosmtplib.SMTPDataError(421, "4.3.2 Service not available, closing channel"),
    aiosmtplib.SMTPRecipientsRefused([aiosmtplib.SMTPRecipientRefused(
        421, "4.3.2 Closing", "a@b.example")]),
    aiosmtplib.SMTPServerDisconnected("Connection lost"),
    aiosmtplib.SMTPConnectError("Error connecting to 127.0.0.1 on port 1"),
    aiosmtplib.SMTPAuthenticationError(535, "5.7.8 Authentication credentials invalid"),
    ConnectionResetError("reset by peer"),
])
def test_the_relay_s_trouble_is_no_attempt_of_the_message(error):
    """A relay with bad credentials is down for every message, not a 5xx for this one."""
    with pytest.raises(RelayDown):
        outcome_of(error)


# -- webhooks --------------------------------------------------------------------------------

SECRET = "a-long-shared-secret-for-the-on-call-pager"


def page(url: str = "https://oncall.example/hooks") -> Notification:
    return Notification(cause="c1", kind="page", recipient=url, subject="[T-000001] SLA warning",
                        body="", ticket_number="T-000001", trace_context={}, channel="webhook",
                        payload={"specversion": "1.0", "id": str(uuid4()), "type": "x",
                                 "source": "/hotline/sla-timer", "subject": "T-000001",
                                 "data": {"threshold": 75, "note": "Grüße"}})


def sender_answering(status: int, seen: list[httpx.Request]) -> WebhookSender:
    sender = WebhookSender(SECRET)

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, text="busy" if status >= 400 else "")

    sender._client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return sender


async def test_a_webhook_is_the_cloudevent_signed_both_ways():
    seen: list[httpx.Request] = []
    notification = page()
    outcome = await sender_answering(204, seen).deliver(notification)
    assert outcome == Delivered("HTTP 204")
    [request] = seen
    body = request.content
    assert json.loads(body) == notification.payload
    assert request.headers["content-type"] == "application/cloudevents+json"
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert request.headers["x-hotline-signature"] == f"sha256={expected}"
    assert request.headers["x-hotline-delivery"] == str(notification.id)
    verified = Webhook(standard_webhooks_secret(SECRET)).verify(body, dict(request.headers))
    assert verified == notification.payload


async def test_a_tampered_body_fails_verification():
    seen: list[httpx.Request] = []
    await sender_answering(200, seen).deliver(page())
    headers = dict(seen[0].headers)
    tampered = seen[0].content.replace(b"75", b"90")
    with pytest.raises(Exception, match="(?i)signature"):
        Webhook(standard_webhooks_secret(SECRET)).verify(tampered, headers)
    assert headers["x-hotline-signature"] != "sha256=" + hmac.new(
        SECRET.encode(), tampered, hashlib.sha256).hexdigest()


@pytest.mark.parametrize("status", [500, 503, 429, 404, 301])
async def test_any_other_answer_is_retried_with_the_same_delivery_id(status):
    seen: list[httpx.Request] = []
    sender = sender_answering(status, seen)
    notification = page()
    first, second = await sender.deliver(notification), await sender.deliver(notification)
    assert isinstance(first, Undelivered) and not first.permanent
    assert f"HTTP {status}" in first.reason and first == second
    assert seen[0].headers["x-hotline-delivery"] == seen[1].headers["x-hotline-delivery"]


async def test_an_unusable_url_is_given_up_at_once():
    outcome = await WebhookSender(SECRET).deliver(page("ftp://oncall.example/hooks"))
    assert isinstance(outcome, Undelivered) and outcome.permanent
