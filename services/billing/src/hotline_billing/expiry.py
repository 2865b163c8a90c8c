"""The quote expiry task: records `expired` on open quotes past their expiry, every
`tick_seconds` and at once on NOTIFY `hotline_clock` (the simulated clock moved). Deciding a
quote checks expiry too, so this only makes unanswered quotes' expiry known (and published)."""

from __future__ import annotations

import logging

from hotline.clock_ticks import on_clock

from hotline_billing.application import BillingApplication

log = logging.getLogger(__name__)


class QuoteExpiry:
    def __init__(self, app: BillingApplication, database_url: str, *, tick_seconds: float = 5.0) -> None:
        self._app = app
        self._url = database_url
        self._tick = tick_seconds

    async def run(self) -> None:
        await on_clock(self._url, self._tick, self._app.expire_quotes)
