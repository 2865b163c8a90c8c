"""The intake SMTP listener (aiosmtpd) on the service's own event loop.

Every accepted email gets one definite outcome, and `250` is answered only after it is
committed to the event store, so an accepted email is never lost: a ticket, a rejection (the
reply to the sender follows from it), an ignored automatic email, or a duplicate of one received
before. Only a store that cannot commit answers `451`, so the sending server retries later;
no content can. Messages over twice the configured limit are refused at the SMTP level (`552`);
smaller oversized ones are accepted and answered with a reply saying what the limit is. Once
the service shuts down (SIGTERM), new emails are answered `421`; one being accepted finishes.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.smtp import SMTP, Envelope, Session
from opentelemetry.trace import SpanKind

from hotline import shutdown
from hotline.telemetry import tracer
from hotline_intake.submissions import Commented, Duplicate, Ignored, Opened, Outcome, Rejected, Submissions

log = logging.getLogger(__name__)


class IntakeHandler:
    def __init__(self, submissions: Submissions) -> None:
        self.submissions = submissions

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if shutdown.requested():  # nothing new once SIGTERM came: the sender retries elsewhere
            return "421 4.3.2 Hotline intake is shutting down; please retry"
        with tracer(__name__).start_as_current_span("smtp receive", kind=SpanKind.SERVER) as span:
            span.set_attribute("smtp.mail_from", envelope.mail_from or "")
            span.set_attribute("smtp.size", len(raw))
            try:
                async with shutdown.critical():  # an email in hand is committed and answered
                    outcome = await self.submissions.receive_email(raw, envelope.mail_from)
            except Exception:
                log.exception("could not commit an inbound email; asking the sender to retry")
                return "451 4.3.0 Temporary failure, please retry later"
        return answer(outcome)


def answer(outcome: Outcome) -> str:
    """The SMTP reply for a committed outcome."""
    if isinstance(outcome, Opened):
        return f"250 OK ticket {outcome.ticket.number} opened"
    if isinstance(outcome, Rejected):
        why = "a reply explains why" if outcome.reply else "no reply is sent"
        return f"250 OK not a ticket ({outcome.reason}); {why}"
    if isinstance(outcome, Commented):
        again = " (already)" if outcome.resent else ""
        return f"250 OK added to ticket {outcome.ticket.number}{again}"
    if isinstance(outcome, Ignored):
        return f"250 OK ignored ({outcome.reason}); no reply is sent"
    assert isinstance(outcome, Duplicate)
    original = outcome.original
    earlier = f"ticket {original.ticket_number}" if original.ticket_number else \
        f"submission {original.submission_id} ({original.outcome})"
    return f"250 OK duplicate of {earlier}; nothing new is opened"


async def start_smtp(
    submissions: Submissions, host: str, port: int, max_bytes: int
) -> asyncio.base_events.Server:
    loop = asyncio.get_running_loop()
    handler = IntakeHandler(submissions)
    return await loop.create_server(
        lambda: SMTP(
            handler,
            data_size_limit=2 * max_bytes,
            enable_SMTPUTF8=True,
            decode_data=False,
            hostname="hotline-intake",
            ident="Hotline intake",
        ),
        host=host,
        port=port,
    )
