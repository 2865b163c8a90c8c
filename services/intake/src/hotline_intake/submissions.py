"""Turning a raw email, an HTTP request or a recorded telephone call into exactly one recorded outcome: a ticket
(`Opened`), a comment on the ticket an emailed reply names (`Commented`), a rejection the sender is told about (`Rejected`), an ignored automatic email
(`Ignored`) or a resent one (`Duplicate`).

This is intake's service layer. An email is screened (`screening`) in a worker thread under a
time limit (HOTLINE_INTAKE_READ_TIMEOUT_SECONDS): past it the email is rejected as not readable
in time and the event loop never waited. Then, in one call into the (synchronous) event store:

* a Message-ID already received from the same sender within the duplicate window → `Duplicate`,
  naming the original; two deliveries racing on the same key both reach the store, and the one
  that loses on the submission log's unique key is recorded as the duplicate;
* beyond HOTLINE_INTAKE_TICKETS_PER_CUSTOMER_PER_HOUR, a ticket becomes a `rate_limited`
  rejection; beyond HOTLINE_INTAKE_REPLIES_PER_HOUR, a rejection is still recorded but with
  `reply=False`, so notifier does not answer it.

Only a store that cannot commit makes `receive_email` raise (the SMTP edge answers 451 then).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from hotline.directory import Directory
from hotline.telemetry import current_trace_context
from hotline_intake.adapters.mime import EmailHeader
from hotline_intake.application import IntakeApplication
from hotline_intake.admission import Admission, SubmissionLimits
from hotline_intake.domain.rejection import IntakeRejection, RejectionReason
from hotline_intake.outcomes import (
    Commented,
    Duplicate,
    IdempotencyKeyReused,
    Ignored,
    Opened,
    Outcome,
    Rejected,
    Replayed,
)
from hotline_intake.screening import (
    Refused,
    ScreeningRules,
    Verdict,
    automatic_mail,
    envelope_sender,
    screen_email,
)

log = logging.getLogger(__name__)

__all__ = ["Commented", "Duplicate", "IdempotencyKeyReused", "Ignored", "Opened", "Outcome",
           "Rejected", "Replayed", "Submissions"]

READERS = 4
"""Worker threads that read emails. One stuck past its time limit keeps its thread (Python
cannot stop it), so a few spare ones keep mail flowing."""


class Submissions:
    def __init__(
        self, app: IntakeApplication, directory: Directory, max_bytes: int, *,
        own_addresses: Collection[str] = (), trusted_authserv_id: str | None = None,
        limits: SubmissionLimits | None = None, read_timeout: float = 10.0,
        reply_reopens: bool = True,
    ) -> None:
        self.app = app
        self.directory = directory  # replaced when the directory is reloaded
        self.rules = ScreeningRules(max_bytes, ScreeningRules.addresses(own_addresses),
                                    trusted_authserv_id)
        self.read_timeout = read_timeout
        self.admission = Admission(app, limits or SubmissionLimits(), reply_reopens)
        self._readers = ThreadPoolExecutor(READERS, thread_name_prefix="intake-read")

    async def receive_email(self, raw: bytes, mail_from: str | None) -> Outcome:
        """Record what this email becomes. Returns once committed."""
        trace_context = current_trace_context()
        received_at = self.app.clock.now()
        verdict = await self._screen(raw, mail_from)
        return await asyncio.to_thread(
            self.admission.email, verdict, mail_from, received_at, trace_context)

    async def receive_request(
        self, *, customer: str, location: str, issue: str, description: str,
        priority: int | None, contact: str | None, actor: dict[str, str] | None = None,
        channel: str = "http", caller: str | None = None, callback: str | None = None,
        called_at: datetime | None = None, attachments: list[dict[str, Any]] | None = None,
        idempotency_key: str | None = None,
    ) -> Outcome:
        """Open a ticket from an HTTP request or a telephone call an agent records (channel
        `phone`), or record its rejection (the same field limits as the HTTP model's, applied
        again here). A call outside the back-dating limit raises `TicketRuleViolation`. With an
        `idempotency_key`, a retry is `Replayed` or raises `IdempotencyKeyReused` (`Admission`)."""
        return await asyncio.to_thread(
            self.admission.request, self.directory, current_trace_context(), actor,
            customer=customer, location=location, issue=issue, description=description,
            priority=priority, contact=contact, channel=channel, caller=caller,
            callback=callback, called_at=called_at, attachments=attachments,
            idempotency_key=idempotency_key)

    async def _screen(self, raw: bytes, mail_from: str | None) -> Verdict:
        header_seen: list[EmailHeader] = []
        directory = self.directory
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self._readers, lambda: screen_email(
            raw, mail_from, directory, self.rules, header_seen.append))
        try:
            return await asyncio.wait_for(work, self.read_timeout)
        except TimeoutError:
            problem = IntakeRejection(
                RejectionReason.READ_TIMEOUT,
                f"the email could not be read in time (limit {self.read_timeout:g} s)")
        except Exception:  # noqa: BLE001 - a reader's bug must not make the sender retry forever
            log.exception("could not read an inbound email")
            problem = IntakeRejection(RejectionReason.MALFORMED, "the email could not be read")
        header = header_seen[0] if header_seen else EmailHeader(size=len(raw))
        return (automatic_mail(header, mail_from, self.rules)  # still never answered
                or Refused(problem, header, header.sender or envelope_sender(mail_from)))

    def close(self) -> None:
        self._readers.shutdown(wait=False, cancel_futures=True)
