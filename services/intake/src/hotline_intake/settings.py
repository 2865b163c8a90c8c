"""Intake's settings (env prefix `HOTLINE_INTAKE_`, stack-wide ones `HOTLINE_*`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from hotline.calendar import WALL_DAY, parse_duration
from hotline.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_INTAKE_", extra="ignore", populate_by_name=True
    )

    service_name: str = "intake"
    http_port: int = 8080
    smtp_host: str = Field("127.0.0.1", description="Where the intake SMTP listener binds.")
    smtp_port: int = Field(2525, description="Intake SMTP listener port.")
    max_message_bytes: int = Field(
        10 * 1024 * 1024,
        gt=0,
        description="Largest email turned into a ticket; larger ones get a reply saying so. "
        "SMTP itself refuses messages over twice this size (552).",
    )
    directory_file: Path | None = Field(
        None, description="Customer directory YAML (customers, locations, contacts)."
    )
    relay_paused: bool = Field(
        False,
        description="Hold publication to Kafka (events keep accumulating in the log and are "
        "published when resumed). For broker maintenance and fault-injection tests.",
    )
    max_backdate: timedelta = Field(
        timedelta(minutes=15),
        description="How far before now a lifecycle change's `at` may lie (e.g. 15m, 1h); "
        "earlier ones are refused. Late knowledge is corrected by sla-timer, but only this late.",
    )

    @field_validator("max_backdate", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value, day=WALL_DAY) if isinstance(value, str) else value
