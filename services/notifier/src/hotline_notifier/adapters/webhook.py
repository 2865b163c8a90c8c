"""The webhook channel: a notification's `payload` POSTed to its URL (httpx), signed twice.

The body is the CloudEvent in structured JSON mode (`webhook_payload(cloud_event)`: specversion,
id, source, type, time, subject, datacontenttype, data), sent as
`application/cloudevents+json`, compact, exactly the bytes that are signed. Headers:

- `X-Hotline-Signature: sha256=<hex>`: HMAC-SHA256 of the body;
- `X-Hotline-Delivery: <notification id>`: the same on every attempt, the idempotency key;
- Standard Webhooks (made with the `standardwebhooks` package, so any of its verifiers checks
  them): `webhook-id` (= the notification id), `webhook-timestamp` (the system clock, in
  seconds: receivers allow 5 minutes of skew) and `webhook-signature: v1,<base64>`.

One secret, `HOTLINE_NOTIFIER_WEBHOOK_SECRET`, gives both signatures one key (`signing_key`):
a value `whsec_<base64>` (the Standard Webhooks form) means the bytes it encodes, and a
receiver's verifier takes the value as it is; any other value means its UTF-8 bytes, and a
Standard Webhooks verifier is given `standard_webhooks_secret(value)`, i.e.
`whsec_` + base64(value).

Outcomes: a 2xx is `Delivered` (`HTTP 204`); any other status, a timeout or a connection
failure is a transient failure of that attempt, retried like email. No redirect is followed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from hotline.clock import Clock, SystemClock
from hotline.contracts.envelope import CloudEvent
from hotline_notifier.domain.delivery import Delivered, Outcome, Undelivered
from hotline_notifier.domain.notification import Notification

SECRET_PREFIX = "whsec_"
CONTENT_TYPE = "application/cloudevents+json"


def webhook_payload(cloud_event: CloudEvent) -> dict[str, Any]:
    """What a webhook notification carries: the event in CloudEvents' structured JSON mode."""
    return cloud_event.structured()


def signing_key(secret: str) -> bytes:
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX):] + "==")
    return secret.encode()


def standard_webhooks_secret(secret: str) -> str:
    """The secret to give a Standard Webhooks verifier, for HOTLINE_NOTIFIER_WEBHOOK_SECRET."""
    return secret if secret.startswith(SECRET_PREFIX) else (
        SECRET_PREFIX + base64.b64encode(secret.encode()).decode())


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed_headers(key: bytes, delivery_id: str, body: bytes, at: datetime) -> dict[str, str]:
    return {
        "Content-Type": CONTENT_TYPE,
        "X-Hotline-Signature": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
        "X-Hotline-Delivery": delivery_id,
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(key).sign(delivery_id, at, body.decode()),
    }


class WebhookSender:
    def __init__(self, secret: str | None, *, timeout: float = 30.0, connections: int = 8,
                 clock: Clock | None = None) -> None:
        self._key = signing_key(secret) if secret else None
        self._clock = clock or SystemClock()  # infrastructure time: receivers check it
        self._client = httpx.AsyncClient(
            timeout=timeout, follow_redirects=False, trust_env=False,
            limits=httpx.Limits(max_connections=connections))

    async def deliver(self, notification: Notification) -> Outcome:
        if self._key is None:
            return Undelivered("no webhook secret (HOTLINE_NOTIFIER_WEBHOOK_SECRET) to sign with",
                               permanent=True)
        if not notification.payload:
            return Undelivered("webhook notification without a payload", permanent=True)
        body = body_of(notification.payload)
        headers = signed_headers(self._key, str(notification.id), body, self._clock.now())
        try:
            response = await self._client.post(notification.recipient, content=body, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return Undelivered(f"invalid webhook URL: {exc}", permanent=True)
        except httpx.HTTPError as exc:  # timeouts, refused or reset connections
            return Undelivered(f"{type(exc).__name__}: {exc}"[:500])
        status = f"HTTP {response.status_code}"
        if response.is_success:
            return Delivered(status)
        return Undelivered(" ".join(f"{status} {response.reason_phrase}: {response.text[:200]}".split()))

    async def close(self) -> None:
        await self._client.aclose()
