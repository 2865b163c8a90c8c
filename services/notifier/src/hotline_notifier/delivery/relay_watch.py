"""Whether the SMTP relay takes mail: while it does not, every email waits.

The first delivery that meets `RelayDown` marks the relay down: one log line (error), the gauge
`hotline_notifier_relay_down` at 1, and the dispatcher stops claiming emails (webhooks go on);
emails already claimed go back untouched, with no attempt counted. `watch()` then probes the
relay every `probe_seconds` (connect, EHLO, MAIL FROM, RSET: nothing is sent) and, once it
answers, marks it up again: one log line, the gauge at 0, and the dispatcher is woken.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from opentelemetry.metrics import Observation

from hotline import telemetry
from hotline_notifier.domain.delivery import RelayDown

log = logging.getLogger(__name__)


class RelayWatch:
    def __init__(self, probe: Callable[[], Awaitable[None]], probe_seconds: float = 5.0) -> None:
        self._probe = probe
        self._every = probe_seconds
        self._down = asyncio.Event()
        self.reason: str | None = None
        self.down_since: float | None = None  # monotonic
        self.on_up: Callable[[], None] = lambda: None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def went_down(self, reason: str) -> None:
        if self.down_since is None:
            self.down_since, self.reason = time.monotonic(), reason
            log.error("SMTP relay down; every email waits until it answers again: %s", reason,
                      extra={"reason": reason})
            self._down.set()

    def came_back(self) -> None:
        if self.down_since is not None:
            seconds = time.monotonic() - self.down_since
            self.down_since, self.reason = None, None
            self._down.clear()
            log.info("SMTP relay back after %.1fs; delivering", seconds, extra={"down_seconds": seconds})
            self.on_up()

    async def watch(self) -> None:
        """Probe while the relay is down; mark it up once a probe passes."""
        while True:
            await self._down.wait()
            await asyncio.sleep(self._every)
            try:
                await self._probe()
            except RelayDown as exc:
                self.reason = str(exc)
                continue
            self.came_back()


def instruments(watch: RelayWatch, delivered: Callable[[], dict[tuple[str, str], int]]) -> None:
    """`hotline_notifier_relay_down` (1 while down) and `hotline_notifier_attempts` (attempts
    by channel and outcome: sent, retrying, given-up), at /metrics."""
    meter = telemetry.meter("hotline.notifier")
    meter.create_observable_gauge(
        "hotline_notifier_relay_down", description="1 while the SMTP relay is down and every email waits",
        callbacks=[lambda _: [Observation(int(watch.down))]])
    meter.create_observable_counter(
        "hotline_notifier_attempts", unit="{attempt}",
        description="Delivery attempts recorded since start, by channel and outcome",
        callbacks=[lambda _: [Observation(n, {"channel": c, "outcome": o})
                              for (c, o), n in delivered().items()]])
