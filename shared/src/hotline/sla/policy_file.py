"""An SLA policy written down: the `HOTLINE_SLA_*` settings as a YAML (or JSON) mapping.

`hotline audit recompute --policy FILE` asks "what if this policy had been in force". The file
holds the fields of `SlaSettings` in lower case, without the prefix; a field left out takes the
contract's default (never the environment), an unknown field is refused:

    name: what-if-4h
    p2_response: 4h support        # budgets: `<duration> support|24x7` or `none`
    response_warnings: [50, 75]    # a list, or "50,75"
    pause_on_waiting: true

`PolicyFile.policy(calendar)` is the `SlaPolicy` it describes on a given support calendar (the
audit uses each ticket's recorded calendar). `reply_is_response` is not part of a policy: how
ticket events became clock changes was decided when they were recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, create_model, model_validator

from hotline.calendar import SupportCalendar
from hotline.calendar.durations import SUPPORT_DAY
from hotline.sla.budgets import Budget
from hotline.sla.policy import SlaPolicy
from hotline.sla.settings import SlaSettings, parse_thresholds

NOT_POLICY = {"reply_is_response"}
WARNINGS = ("response_warnings", "resolution_warnings", "rfo_warnings")
BUDGETS = tuple(f"p{p}_{c}" for p in range(1, 5) for c in ("response", "resolution", "rfo"))


class _PolicyFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _plain(cls, data: Any) -> Any:
        """YAML's natural spellings: warnings as a list, a number where text is meant."""
        if not isinstance(data, dict):
            return data
        plain = dict(data)
        for key in WARNINGS:
            if isinstance(plain.get(key), list):
                plain[key] = ",".join(str(v) for v in plain[key])
        for key in (*WARNINGS, *BUDGETS, "name"):
            if isinstance(plain.get(key), int | float) and not isinstance(plain.get(key), bool):
                plain[key] = str(plain[key])
        return plain

    @model_validator(mode="after")
    def _meaningful(self) -> _PolicyFields:
        for key in BUDGETS:
            try:
                Budget.parse(getattr(self, key), SUPPORT_DAY)
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
        for key in WARNINGS:
            try:
                parse_thresholds(getattr(self, key))
            except ValueError as error:
                raise ValueError(f"{key}: {error}") from None
        return self

    def policy(self, calendar: SupportCalendar) -> SlaPolicy:
        """The policy these settings describe, on `calendar`."""
        return SlaPolicy.from_settings(SlaSettings(**self.model_dump()), calendar)


PolicyFile = create_model(  # type: ignore[call-overload]
    "PolicyFile", __base__=_PolicyFields, __doc__="An SLA policy: `SlaSettings` fields, contract defaults.",
    **{name: (info.annotation, info) for name, info in SlaSettings.model_fields.items()
       if name not in NOT_POLICY},
)


def load_policy_file(path: Path) -> Any:
    """A `PolicyFile` from YAML or JSON; ValueError (one sentence) when it is not one."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a mapping of SLA settings (e.g. `p2_response: 4h support`)")
    try:
        return PolicyFile.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'policy'}: {e['msg']}"
                             for e in error.errors())
        raise ValueError(f"{path}: {problems}") from None
