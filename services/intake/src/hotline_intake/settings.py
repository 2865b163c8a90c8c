"""Intake's settings (env prefix `HOTLINE_INTAKE_`, stack-wide ones `HOTLINE_*`)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from hotline.calendar import WALL_DAY, parse_duration
from hotline.directory import directory_file_setting
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
    directory_file: Path | None = directory_file_setting("HOTLINE_INTAKE_")
    niceness: int = Field(
        5,
        ge=0,
        le=19,
        description="How much intake yields the CPU (the Unix nice value it adds at start) to "
        "the services that finish tickets, where they share a host: in a surge intake then "
        "takes mail in at the rate the pipeline behind it confirms, rather than filling its "
        "queues faster (measured by `make surge`). 0 to compete equally. No effect between "
        "containers, whose CPU their own limits share out.",
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

    read_timeout_seconds: float = Field(
        10.0, gt=0,
        description="Longest time reading one email may take (it runs in a worker thread); past "
        "it the email is rejected as not readable in time (`read_timeout`) and the sender told.",
    )
    own_addresses: Annotated[list[str], NoDecode] = Field(
        ["support@hotline.example"],
        description="Hotline's own addresses (comma-separated or a JSON list): the notifier's "
        "From (HOTLINE_NOTIFIER_FROM_ADDRESS) and the address customers write to. Email from "
        "them is ignored, never answered, so Hotline cannot answer itself.",
    )
    replies_per_hour: int = Field(
        5, ge=0,
        description="Rejection replies per address and hour; later rejections are recorded with "
        "`reply: false` and not answered (0 = no limit).",
    )
    tickets_per_customer_per_hour: int = Field(
        100, ge=0,
        description="New tickets per customer and hour, over email and HTTP; beyond it a "
        "submission is rejected as `rate_limited` (0 = no limit).",
    )
    duplicate_window: timedelta = Field(
        timedelta(days=7),
        description="How long a Message-ID is remembered per sender (e.g. 7d, 12h): the same one "
        "again within it answers 250, opens nothing and is recorded as a duplicate.",
    )
    reply_reopens: bool = Field(
        True,
        description="A customer's emailed reply to a resolved ticket reopens it (at the reply's "
        "receipt); false: the reply is only added to the conversation.",
    )
    trusted_authserv_id: str | None = Field(
        None,
        description="The authserv-id of the MTA whose Authentication-Results intake trusts "
        "(e.g. mx.hotline.example); unset: none. With it, a DMARC fail rejects the email and the "
        "reply goes only to the registered contact the From claims.",
    )

    @field_validator("max_backdate", "duplicate_window", "portal_link_ttl", "portal_session_ttl",
                     mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value, day=WALL_DAY) if isinstance(value, str) else value

    portal_link_ttl: timedelta = Field(
        timedelta(minutes=15), description="How long a web-console sign-in link emailed to a "
        "customer's contact stays valid (used once).")
    portal_links_per_window: int = Field(
        3, ge=1, description="Sign-in links one address may request per link lifetime; more "
        "answer 429.")
    portal_session_ttl: timedelta = Field(
        timedelta(hours=8), description="How long a web-console session lasts.")
    console_queue_days: int = Field(
        30, ge=1, description="The agent console's queue lists tickets opened in this many days.")

    @field_validator("own_addresses", mode="before")
    @classmethod
    def _address_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else [
                a.strip() for a in text.split(",") if a.strip()]
        return value

    @field_validator("trusted_authserv_id", mode="before")
    @classmethod
    def _unset_when_empty(cls, value: object) -> object:
        return value.strip() or None if isinstance(value, str) else value
