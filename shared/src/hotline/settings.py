"""Typed settings shared by every service (pydantic-settings, prefix `HOTLINE_`).

Each service subclasses `ServiceSettings` with its own fields and reads it once
in its composition root (`bootstrap.py`). Every contract ambiguity that the
issues fix a default for is a field here or in a service's settings, so it is
documented in one place and overridable by environment.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/hotline"
DEFAULT_MAX_RECORD_BYTES = 900 * 1024  # under Kafka's default 1 MiB, with room for framing


class HotlineSettings(BaseSettings):
    """Settings common to the whole stack."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        validation_alias="HOTLINE_DATABASE_URL",
        default=DEFAULT_DATABASE_URL,
        description="PostgreSQL URL; each service keeps its event store in its own schema.",
    )
    kafka_bootstrap: str = Field(
        validation_alias="HOTLINE_KAFKA_BOOTSTRAP",
        default="127.0.0.1:9092",
        description="Kafka bootstrap servers.",
    )
    kafka_idempotence: bool = Field(
        validation_alias="HOTLINE_KAFKA_IDEMPOTENCE",
        default=False,
        description="Idempotent producer: on for real Kafka; the local tansu broker refuses it. "
        "Correctness never depends on it (consumers de-duplicate by source log position).",
    )
    kafka_max_record_bytes: int = Field(
        validation_alias="HOTLINE_KAFKA_MAX_RECORD_BYTES",
        default=DEFAULT_MAX_RECORD_BYTES,
        ge=64 * 1024,
        description="Largest Kafka record (key, value and headers, before compression) the relay "
        "publishes; a larger one stops the relay at its position (see /readyz). Consumers "
        "dead-letter larger records as `oversized`. Keep it below the broker's message.max.bytes.",
    )
    topic_partitions: int = Field(
        validation_alias="HOTLINE_TOPIC_PARTITIONS",
        default=3,
        ge=1,
        description="Partitions for topics Hotline creates.",
    )
    smtp_url: str = Field(
        validation_alias="HOTLINE_SMTP_URL",
        default="smtp://127.0.0.1:1025",
        description="Outbound SMTP relay (smtp://[user:pass@]host:port).",
    )
    simulated_clock: bool = Field(
        validation_alias="HOTLINE_SIMULATED_CLOCK",
        default=False,
        description="Allow `hotline clock set/advance` to move time for the whole stack.",
    )
    otlp_endpoint: str | None = Field(
        validation_alias="HOTLINE_OTLP_ENDPOINT",
        default=None,
        description="OTLP/HTTP endpoint for traces, e.g. http://127.0.0.1:4318.",
    )
    log_level: str = Field(validation_alias="HOTLINE_LOG_LEVEL", default="INFO")
    var_dir: str = Field(
        validation_alias="HOTLINE_VAR_DIR",
        default="var",
        description="Where local state (embedded DB, mail sink) lives.",
    )


class ServiceSettings(HotlineSettings):
    """Settings of one service. Subclasses set `env_prefix` to `HOTLINE_<SERVICE>_` for
    their own fields (e.g. `HOTLINE_INTAKE_HTTP_PORT`); the stack-wide fields above keep
    their `HOTLINE_*` names through explicit aliases."""

    service_name: str = "hotline"
    http_host: str = "127.0.0.1"
    http_port: int = 8080

    @property
    def schema(self) -> str:
        return self.service_name.replace("-", "_")
