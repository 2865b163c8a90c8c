"""Typed settings shared by every service (pydantic-settings, prefix `HOTLINE_`).

Each service subclasses `ServiceSettings` with its own fields and reads it once
in its composition root (`bootstrap.py`). Every contract ambiguity that the
issues fix a default for is a field here or in a service's settings, so it is
documented in one place and overridable by environment.
"""

from __future__ import annotations

import os
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, SecretStr, model_validator
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
        default=True,
        description="Idempotent producer (with acks=all, always): on by default; `hotline run` and "
        "the tests' embedded broker (tansu, which refuses it) set it off. Correctness never "
        "depends on it (consumers de-duplicate by source log position).",
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        validation_alias="HOTLINE_KAFKA_SECURITY_PROTOCOL",
        default="PLAINTEXT",
        description="How every Kafka client Hotline creates connects: PLAINTEXT, SSL, "
        "SASL_PLAINTEXT or SASL_SSL.",
    )
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = Field(
        validation_alias="HOTLINE_KAFKA_SASL_MECHANISM",
        default="PLAIN",
        description="SASL mechanism with SASL_PLAINTEXT or SASL_SSL: PLAIN, SCRAM-SHA-256 or "
        "SCRAM-SHA-512.",
    )
    kafka_sasl_username: str | None = Field(
        validation_alias="HOTLINE_KAFKA_SASL_USERNAME",
        default=None,
        description="SASL user name (required with SASL_PLAINTEXT and SASL_SSL).",
    )
    kafka_sasl_password: SecretStr | None = Field(
        validation_alias="HOTLINE_KAFKA_SASL_PASSWORD",
        default=None,
        description="SASL password (required with SASL_PLAINTEXT and SASL_SSL).",
    )
    kafka_ssl_cafile: str | None = Field(
        validation_alias="HOTLINE_KAFKA_SSL_CAFILE",
        default=None,
        description="PEM file of the CA(s) that signed the brokers' certificates, with SSL or "
        "SASL_SSL (default: the system's CAs). Host names are always checked.",
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
        description="Outbound SMTP relay: smtp://[user:pass@]host:port (STARTTLS when the relay "
        "offers it; `?starttls=true` requires it) or smtps://... (TLS from the start, port 465).",
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
    log_level: str = Field(validation_alias="HOTLINE_LOG_LEVEL", default="INFO",
                           description="Log level of the service's JSON logs (DEBUG, INFO, ...).")
    var_dir: str = Field(
        validation_alias="HOTLINE_VAR_DIR",
        default="var",
        description="Where local state (embedded DB, mail sink) lives.",
    )

    @model_validator(mode="after")
    def _kafka_security_consistent(self) -> HotlineSettings:
        kafka_security_problem(self)  # raises ValueError, which pydantic reports by name
        smtp_tls(self.smtp_url)
        return self


def kafka_security_problem(s: HotlineSettings) -> None:
    """Refuse Kafka security settings that contradict each other, naming the variables."""
    protocol = s.kafka_security_protocol
    sasl = protocol.startswith("SASL_")
    if sasl and not (s.kafka_sasl_username and s.kafka_sasl_password
                     and s.kafka_sasl_password.get_secret_value()):
        raise ValueError(f"HOTLINE_KAFKA_SECURITY_PROTOCOL={protocol} needs "
                         "HOTLINE_KAFKA_SASL_USERNAME and HOTLINE_KAFKA_SASL_PASSWORD")
    if not sasl and (s.kafka_sasl_username or s.kafka_sasl_password):
        raise ValueError("HOTLINE_KAFKA_SASL_USERNAME/PASSWORD are set but "
                         f"HOTLINE_KAFKA_SECURITY_PROTOCOL is {protocol}: use SASL_SSL "
                         "(or SASL_PLAINTEXT)")
    if s.kafka_ssl_cafile and not protocol.endswith("SSL"):
        raise ValueError(f"HOTLINE_KAFKA_SSL_CAFILE is set but HOTLINE_KAFKA_SECURITY_PROTOCOL "
                         f"is {protocol}: use SSL or SASL_SSL")
    if s.kafka_ssl_cafile and not os.path.isfile(s.kafka_ssl_cafile):
        raise ValueError(f"HOTLINE_KAFKA_SSL_CAFILE: no such file: {s.kafka_ssl_cafile}")


def smtp_tls(smtp_url: str) -> tuple[bool, bool | None]:
    """(use_tls, start_tls) for aiosmtplib from HOTLINE_SMTP_URL: `smtps://` is TLS from the
    first byte; `smtp://` upgrades with STARTTLS when the relay offers it (None), or must
    (`?starttls=true`: True) or must not (`?starttls=false`: False)."""
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"HOTLINE_SMTP_URL must be smtp:// or smtps://, not {parts.scheme}://")
    values = parse_qs(parts.query).get("starttls", [])
    start_tls: bool | None = None
    if values:
        word = values[-1].strip().lower()
        if word not in ("true", "false", "1", "0", "yes", "no"):
            raise ValueError(
                f"HOTLINE_SMTP_URL: starttls must be true or false, not {values[-1]!r}")
        start_tls = word in ("true", "1", "yes")
    if parts.scheme == "smtps":
        if start_tls:
            raise ValueError("HOTLINE_SMTP_URL: smtps:// is TLS already; drop ?starttls=true "
                             "(or use smtp://...?starttls=true)")
        return True, False
    return False, start_tls


class ServiceSettings(HotlineSettings):
    """Settings of one service. Subclasses set `env_prefix` to `HOTLINE_<SERVICE>_` for
    their own fields (e.g. `HOTLINE_INTAKE_HTTP_PORT`); the stack-wide fields above keep
    their `HOTLINE_*` names through explicit aliases."""

    service_name: str = Field(default="hotline", description="The service's name: its "
                              "database schema, consumer groups and client ids.")
    http_host: str = Field(default="127.0.0.1", description="Address the HTTP API listens on.")
    http_port: int = Field(default=8080,
                           description="Port of the HTTP API (/docs, /metrics, /readyz).")
    shutdown_grace_seconds: float = Field(
        validation_alias="HOTLINE_SHUTDOWN_GRACE_SECONDS", default=20.0, gt=0,
        description="On SIGTERM: how long work in hand (a relay batch, a delivery, an email "
        "being accepted, an HTTP request) may take to finish before the service exits; keep "
        "it below Kubernetes' terminationGracePeriodSeconds.")

    @property
    def schema(self) -> str:
        return self.service_name.replace("-", "_")
