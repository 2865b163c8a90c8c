"""Billing's settings (env prefix `HOTLINE_BILLING_`, stack-wide ones `HOTLINE_*`)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from hotline.settings import ServiceSettings
from hotline_billing.domain.pricing import Tariff


class BillingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_BILLING_", extra="ignore", populate_by_name=True
    )

    service_name: str = "billing"
    http_port: int = 8083
    increment: int = Field(1, ge=1, description="Billing increment in minutes: billable time is "
                           "rounded up to a multiple of it (e.g. 15 or 60).")
    hourly_rate: Decimal = Field(Decimal("100.00"), gt=0, decimal_places=2,
                                 description="USD per hour of off-hours support.")
    minimum_minutes: int = Field(120, ge=0, description="Minimum charge of an off-hours review "
                                 "not at the provider's fault, in minutes.")
    charge_undetermined: bool = Field(False, description="Charge a review whose outcome is "
                                      "`undetermined` (default: not charged, a no-charge decision).")
    quote_days: int = Field(30, ge=1, description="Days a P4 quote stays open before it expires.")
    quote_tick_seconds: float = Field(5.0, gt=0, description="How often expired quotes are looked "
                                      "for (also woken when the simulated clock moves).")

    def tariff(self) -> Tariff:
        return Tariff(hourly_rate=self.hourly_rate, minimum_minutes=self.minimum_minutes,
                      increment_minutes=self.increment, charge_undetermined=self.charge_undetermined)
