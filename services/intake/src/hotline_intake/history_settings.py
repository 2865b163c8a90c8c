"""Where intake finds the other services when it gathers a ticket's history (env prefix
`HOTLINE_INTAKE_`): `HOTLINE_INTAKE_SLA_TIMER_URL`, `..._NOTIFIER_URL`, `..._BILLING_URL`;
unset, 127.0.0.1 on the port in that service's `HOTLINE_<SERVICE>_HTTP_PORT` (the stack gives
every service each one's), else its default port (8082, 8081, 8083)."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_url(service: str, port: int) -> str:
    env = "HOTLINE_" + service.upper().replace("-", "_") + "_HTTP_PORT"
    return f"http://127.0.0.1:{os.environ.get(env) or port}"


class HistorySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_INTAKE_", extra="ignore")

    sla_timer_url: str = Field(default_factory=lambda: _default_url("sla-timer", 8082),
                               description="sla-timer's HTTP address, for ticket histories.")
    notifier_url: str = Field(default_factory=lambda: _default_url("notifier", 8081),
                              description="notifier's HTTP address, for ticket histories.")
    billing_url: str = Field(default_factory=lambda: _default_url("billing", 8083),
                             description="billing's HTTP address, for ticket histories.")
    history_timeout_seconds: float = Field(
        5.0, gt=0, description="How long intake waits for each service's part of a history; "
        "a service that does not answer in time is reported unavailable.")

    def urls(self) -> dict[str, str]:
        return {"sla-timer": self.sla_timer_url, "notifier": self.notifier_url,
                "billing": self.billing_url}
