"""What one delivery attempt came to, and when the next one is due.

A channel (SMTP, webhook) answers each attempt with an outcome: `Delivered` (with the server's
reply line or the HTTP status), or `Undelivered`, transient (tried again later) or permanent
(the server refused this message for good). Trouble that is not the message's — the SMTP relay
refusing connections, TLS or authentication failing, `421` — is `RelayDown`, raised rather
than returned: it is no attempt of the message's, and every email waits until the relay is back.

`RetrySchedule` says when a failed notification is tried again: `base` after the first failed
attempt, doubling each time, each delay moved by up to ±`jitter` (so retries of many messages
refused at once do not arrive together), at most `longest`; after `max_attempts` attempts it is
given up. The default (8 attempts, 10 minutes doubling) spreads them over about 21 hours.
Due instants are infrastructure time (the system clock), never the stack's simulated clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Delivered:
    reply: str
    """The SMTP server's reply to the message (`250 ...`) or the webhook's `HTTP 204`."""


@dataclass(frozen=True)
class Undelivered:
    reason: str
    permanent: bool = False
    """True: refused for good (5xx on RCPT or DATA, an unsendable message); never retried."""


Outcome = Delivered | Undelivered


class RelayDown(Exception):
    """The relay cannot take any email now (connection, TLS, authentication, `421`). Not an
    attempt of the message at hand: it waits, with every other email, until the relay is back."""


@dataclass(frozen=True)
class RetrySchedule:
    max_attempts: int = 8
    base: timedelta = timedelta(minutes=10)
    longest: timedelta = timedelta(hours=12)
    jitter: float = 0.2

    def delay(self, attempt: int, rng: random.Random | None = None) -> timedelta | None:
        """How long after failed attempt number `attempt` (1, 2, ...) the next one is due;
        None when that was the last attempt allowed."""
        if attempt >= self.max_attempts:
            return None
        nominal = min(self.base * 2 ** (attempt - 1), self.longest)
        spread = (rng or random).uniform(-self.jitter, self.jitter) if self.jitter else 0.0
        return nominal * (1 + spread)

    def next_attempt_at(self, attempt: int, failed_at: datetime,
                        rng: random.Random | None = None) -> datetime | None:
        delay = self.delay(attempt, rng)
        return None if delay is None else failed_at + delay
