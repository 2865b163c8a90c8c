"""sla-timer's settings (env prefix `HOTLINE_SLA_TIMER_`, stack-wide ones `HOTLINE_*`).

The SLA policy itself is configured by `HOTLINE_SLA_*` (`hotline.sla.settings`) and the
support calendar by `HOTLINE_CALENDAR_*`.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hotline.settings import ServiceSettings


class SlaTimerSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_SLA_TIMER_", extra="ignore", populate_by_name=True
    )

    service_name: str = "sla-timer"
    http_port: int = 8082
    fire_batch_size: int = Field(500, ge=1, description="Due timers claimed per firing transaction.")
    tick_seconds: float = Field(
        0.2, gt=0, description="How often the firing loop looks for due timers (it also wakes "
        "at once when the simulated clock moves)."
    )
    lag_hold_seconds: float = Field(
        30.0, ge=0, description="While the ticket consumer is behind the end of hotline.tickets.v1 "
        "(or at start-up, until it is known not to be), due timers wait at most this long for it; "
        "then they fire, and what a late event shows was met is retracted.",
    )
    fault_kill_mid_batch: bool = Field(
        False, description="FAULT INJECTION, tests only: the process SIGKILLs itself inside its "
        "first firing transaction, after appending the batch's events and before committing."
    )
