"""Notifier's settings (env prefix `HOTLINE_NOTIFIER_`, stack-wide ones `HOTLINE_*`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from hotline.calendar import WALL_DAY, parse_duration
from hotline.directory import directory_file_setting
from hotline.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_NOTIFIER_", extra="ignore", populate_by_name=True
    )

    service_name: str = "notifier"
    http_port: int = 8081
    from_address: str = Field(
        "Hotline Support <support@hotline.example>", description="From: of every email sent."
    )
    # -- delivery ------------------------------------------------------------------------------
    max_attempts: int = Field(8, ge=1, description="Attempts per notification before it is given "
                              "up (attempts while the SMTP relay is down do not count).")
    retry_base_seconds: float = Field(
        600.0, gt=0, description="Wait after the first failed attempt; it doubles after each "
        "(10 min, 20, 40, ...: 8 attempts span about 21 hours).")
    retry_jitter: float = Field(0.2, ge=0, lt=1, description="Each wait moved by up to this "
                                "fraction either way, so retries do not arrive together.")
    max_backoff_seconds: float = Field(43200.0, gt=0, description="Longest wait between attempts.")
    concurrency: int = Field(32, ge=1, description="Deliveries in flight at once (SMTP connections "
                             "kept open, webhook requests). Below what relays allow one client "
                             "(Postfix: 50); 8 left confirmations behind a surge of tickets.")
    send_timeout_seconds: float = Field(30.0, gt=0, description="Longest wait for an SMTP reply "
                                        "or a webhook's answer.")
    relay_probe_seconds: float = Field(5.0, gt=0, description="How often a relay that is down "
                                       "is asked whether it takes mail again.")
    webhook_secret: SecretStr | None = Field(
        None, description="Signs webhooks (X-Hotline-Signature, webhook-signature); required with "
        "HOTLINE_NOTIFIER_WEBHOOK_URL. `whsec_<base64>` means the bytes it encodes, any other "
        "value its UTF-8 bytes.")
    webhook_url: str | None = Field(
        None, description="The on-call webhook: P1 warnings and breaches are POSTed there as "
        "signed CloudEvents. Unset: no webhook.")
    escalation_file: Path | None = Field(
        None, description="Escalation policy (YAML): who is told at each threshold of each SLA "
        "clock and priority. Unset: the shipped default (hotline_notifier/escalation/"
        "default_escalations.yaml).")
    # -- maintenance windows -------------------------------------------------------------------
    directory_file: Path | None = directory_file_setting("HOTLINE_NOTIFIER_")
    maintenance_lead_time: timedelta = Field(
        timedelta(hours=24), description="Notice planned maintenance needs (e.g. 24h, 2d): a "
        "window starting sooner is refused unless it is emergency maintenance.")
    maintenance_reminder: timedelta = Field(
        timedelta(hours=1), description="How long before a window starts its contacts are "
        "reminded (e.g. 1h, 30m; 0s: no reminders).")
    maintenance_tick_seconds: float = Field(
        1.0, gt=0, description="How often due maintenance reminders and starts are looked for "
        "(also woken when the simulated clock moves).")

    @field_validator("maintenance_lead_time", "maintenance_reminder", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value, day=WALL_DAY) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _webhooks_are_signed(self) -> NotifierSettings:
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("HOTLINE_NOTIFIER_WEBHOOK_URL needs HOTLINE_NOTIFIER_WEBHOOK_SECRET: "
                             "every webhook is signed")
        return self
