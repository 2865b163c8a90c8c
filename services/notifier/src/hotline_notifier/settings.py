"""Notifier's settings (env prefix `HOTLINE_NOTIFIER_`, stack-wide ones `HOTLINE_*`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

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
    max_backoff_seconds: float = Field(60.0, gt=0, description="Longest wait between retries.")
