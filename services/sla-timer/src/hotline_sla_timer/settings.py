"""sla-timer's settings (env prefix `HOTLINE_SLA_TIMER_`, stack-wide ones `HOTLINE_*`).

Availability SLAs (outage records, monthly figures) are configured by the `availability_*`
fields below. The SLA policy itself is configured by `HOTLINE_SLA_*` (`hotline.sla.settings`) and the
support calendar by `HOTLINE_CALENDAR_*`.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from hotline.calendar import WALL_DAY, parse_duration
from hotline.directory import directory_file_setting
from hotline.settings import ServiceSettings
from hotline.sla.availability import MaintenanceRule


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
    # -- availability SLAs ----------------------------------------------------------------
    availability_exclude_planned_maintenance: bool = Field(
        True, description="Planned maintenance (announced at least "
        "HOTLINE_SLA_TIMER_AVAILABILITY_PLANNED_NOTICE ahead, not emergency) is excluded from "
        "downtime.")
    availability_planned_notice: timedelta = Field(
        timedelta(hours=24), description="Notice that makes a maintenance window planned (e.g. "
        "24h, 2d); a window announced later, or marked emergency, is emergency maintenance.")
    availability_exclude_emergency_maintenance: bool = Field(
        False, description="Emergency maintenance is excluded from downtime too.")
    availability_core_target: Decimal = Field(
        Decimal("99.99"), gt=0, le=100, description="Core Services availability target, percent.")
    availability_supporting_target: Decimal = Field(
        Decimal("98"), gt=0, le=100, description="Supporting Services availability target, percent.")
    availability_auto_close: bool = Field(
        True, description="Close the previous month by itself on the first business day after "
        "it (support calendar), publishing hotline.sla.availability-reported.v1.")
    availability_tick_seconds: float = Field(
        30.0, gt=0, description="How often the automatic close looks at the clock (also woken "
        "when the simulated clock moves).")
    directory_file: Path | None = directory_file_setting("HOTLINE_SLA_TIMER_")

    @field_validator("availability_planned_notice", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value, day=WALL_DAY) if isinstance(value, str) else value

    def maintenance_rule(self) -> MaintenanceRule:
        return MaintenanceRule(exclude_planned=self.availability_exclude_planned_maintenance,
                               minimum_notice=self.availability_planned_notice,
                               exclude_emergency=self.availability_exclude_emergency_maintenance)

    def availability_targets(self) -> dict[str, Decimal]:
        return {"core": self.availability_core_target,
                "supporting": self.availability_supporting_target}
