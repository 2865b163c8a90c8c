"""The intake SMTP listener (aiosmtpd) on the service's own event loop.

`250` is answered only after the ticket (or the rejection that triggers the
reply to the sender) is committed to the event store, so an accepted email is
never lost. If the store cannot commit, the answer is `451` and the sending
server retries later. Messages over twice the configured limit are refused at
the SMTP level (`552`); smaller oversized ones are accepted and answered with a
reply saying what the limit is.
"""

from __future__ import annotations

import asyncio
import logging

from aiosmtpd.smtp import SMTP, Envelope, Session
from opentelemetry.trace import SpanKind

from hotline.telemetry import tracer
from hotline_intake.submissions import Opened, Submissions

log = logging.getLogger(__name__)


class IntakeHandler:
    def __init__(self, submissions: Submissions) -> None:
        self.submissions = submissions

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        with tracer(__name__).start_as_current_span("smtp receive", kind=SpanKind.SERVER) as span:
            span.set_attribute("smtp.mail_from", envelope.mail_from or "")
            span.set_attribute("smtp.size", len(raw))
            try:
                outcome = await self.submissions.receive_email(raw, envelope.mail_from)
            except Exception:
                log.exception("could not commit an inbound email; asking the sender to retry")
                return "451 4.3.0 Temporary failure, please retry later"
        if isinstance(outcome, Opened):
            return f"250 OK ticket {outcome.ticket.number} opened"
        return f"250 OK not a ticket ({outcome.reason}); a reply explains why"


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
