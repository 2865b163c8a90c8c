"""Settings of the SLA policy (pydantic-settings, prefix `HOTLINE_SLA_`).

| variable                          | default        | meaning                                     |
|-----------------------------------|----------------|---------------------------------------------|
| HOTLINE_SLA_NAME                  | contract-sla   | readable prefix of the policy version id    |
| HOTLINE_SLA_P1_RESPONSE           | 4h 24x7        | budgets: `<duration> support|24x7` or `none`|
| HOTLINE_SLA_P1_RESOLUTION         | 2d 24x7        | (= 48 h)                                    |
| HOTLINE_SLA_P1_RFO                | 48h 24x7       |                                             |
| HOTLINE_SLA_P2_RESPONSE           | 8h support     |                                             |
| HOTLINE_SLA_P2_RESOLUTION         | 5d support     | (= 50 support hours)                        |
| HOTLINE_SLA_P2_RFO                | 96h 24x7       |                                             |
| HOTLINE_SLA_P3_RESPONSE           | 24h support    |                                             |
| HOTLINE_SLA_P3_RESOLUTION         | 15d support    | (= 150 support hours)                       |
| HOTLINE_SLA_P3_RFO                | 96h 24x7       |                                             |
| HOTLINE_SLA_P4_RESPONSE/_RESOLUTION/_RFO | none    | P4 has no clocks                            |
| HOTLINE_SLA_RESPONSE_WARNINGS     | 75,90          | DeadlineApproaching thresholds, % of budget |
| HOTLINE_SLA_RESOLUTION_WARNINGS   | 75,90          |                                             |
| HOTLINE_SLA_RFO_WARNINGS          | 75,90          |                                             |
| HOTLINE_SLA_PAUSE_ON_WAITING      | true           | waiting on customer pauses resolution       |
| HOTLINE_SLA_RFO_STARTS_AT         | resolved       | or `workaround-or-resolved`                 |
| HOTLINE_SLA_REOPEN                | resume         | reopen resumes resolution where it stopped, |
|                                   |                | or `restart`s it (a new run, full budget)   |
| HOTLINE_SLA_FIX_COUNTS_AS_RESPONSE| true           | a work-around or resolution before any      |
|                                   |                | first response stops the response clock     |
| HOTLINE_SLA_REPLY_IS_RESPONSE     | true           | an agent's public reply is a first response |
|                                   |                | (read by sla-timer as ticket events arrive; |
|                                   |                | not part of the policy version)             |
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hotline.calendar.durations import SUPPORT_DAY
from hotline.sla.budgets import Budget

RfoStart = Literal["resolved", "workaround-or-resolved"]
ReopenMode = Literal["resume", "restart"]


class SlaSettings(BaseSettings):
    """The SLA policy's settings; `SlaPolicy.from_settings()` turns them into a policy."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_SLA_", extra="ignore")

    name: str = Field(default="contract-sla", description="Readable prefix of the version id.")
    p1_response: str = Field(default="4h 24x7", description="Priority 1 response budget.")
    p1_resolution: str = Field(default="2d 24x7", description="Priority 1 resolution: 48 h.")
    p1_rfo: str = Field(default="48h 24x7", description="Priority 1 RFO, from resolution.")
    p2_response: str = Field(default="8h support", description="Priority 2 response budget.")
    p2_resolution: str = Field(default="5d support", description="50 support hours.")
    p2_rfo: str = Field(default="96h 24x7", description="Priority 2 RFO, from resolution.")
    p3_response: str = Field(default="24h support", description="Priority 3 response budget.")
    p3_resolution: str = Field(default="15d support", description="150 support hours.")
    p3_rfo: str = Field(default="96h 24x7", description="Priority 3 RFO, from resolution.")
    p4_response: str = Field(default="none", description="Priority 4 response (none: no clock).")
    p4_resolution: str = Field(default="none", description="Priority 4 resolution budget.")
    p4_rfo: str = Field(default="none", description="Priority 4 RFO budget.")
    response_warnings: str = Field(
        default="75,90", description="DeadlineApproaching thresholds, % of the budget."
    )
    resolution_warnings: str = Field(default="75,90", description="Same, for resolution.")
    rfo_warnings: str = Field(default="75,90", description="Same, for the RFO.")
    pause_on_waiting: bool = Field(
        default=True,
        description="Waiting on customer pauses the resolution clock (never the response clock).",
    )
    rfo_starts_at: RfoStart = Field(
        default="resolved",
        description="'resolved': the RFO clock starts at the permanent solution; "
        "'workaround-or-resolved': at whichever stops the resolution clock first.",
    )

    reopen: ReopenMode = Field(
        default="resume",
        description="'resume': a reopened ticket's resolution clock goes on where it stopped "
        "(warnings already sent stay sent); 'restart': it starts a new run with a full budget.",
    )
    fix_counts_as_response: bool = Field(
        default=True,
        description="A work-around or resolution recorded before any first response stops the "
        "response clock at that instant.",
    )

    reply_is_response: bool = Field(
        default=True,
        description="An agent's public reply (`hotline.ticket.comment-added.v1`, agent, public) "
        "is a first response: it stops the response clock at its `at` unless one was given "
        "before. sla-timer applies it as it records ticket events (the recorded change "
        "stands), so it is not part of the policy or its version.",
    )

    @field_validator(
        "p1_response", "p1_resolution", "p1_rfo", "p2_response", "p2_resolution", "p2_rfo",
        "p3_response", "p3_resolution", "p3_rfo", "p4_response", "p4_resolution", "p4_rfo",
    )
    @classmethod
    def _budget(cls, value: str) -> str:
        Budget.parse(value, SUPPORT_DAY)
        return value

    @field_validator("response_warnings", "resolution_warnings", "rfo_warnings")
    @classmethod
    def _thresholds(cls, value: str) -> str:
        parse_thresholds(value)
        return value


def parse_thresholds(text: str) -> tuple[float, ...]:
    """`"75,90"` → `(75, 90)`; each strictly between 0 and 100; `""` means no warnings."""
    values = []
    for part in text.split(","):
        if not part.strip():
            continue
        value = float(part)
        if not 0 < value < 100:
            raise ValueError(f"warning thresholds are percentages in (0, 100): {part!r}")
        values.append(int(value) if value.is_integer() else value)
    return tuple(sorted(set(values)))
