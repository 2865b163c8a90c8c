"""The escalation policy: rules that say who is told at each threshold of each clock and priority.

Pure data with a version (`<name>-<hash of the rules>`), like the SLA policy. A rule matches an
SLA deadline event by clock, priority (all when omitted) and threshold (a percentage, `warning`
for any warning, or `breach`); the recipients of every matching rule are told, each once.
Recipients are email addresses, names declared under `recipients`, `customer-contact` or
`on-call-webhook`.

`availability` rules say who is told when a closed month misses an availability target
(`hotline.sla.availability-reported.v1` with `met` false), by service class. Such a report is
about a customer, not a ticket: `customer-contact` is not allowed there.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, EmailStr, Field, ValidationError, field_validator

CUSTOMER_CONTACT = "customer-contact"
ON_CALL_WEBHOOK = "on-call-webhook"
ClockName = Literal["response", "resolution", "rfo"]


class EscalationPolicyError(ValueError):
    """The policy file cannot be read or says something that makes no sense."""


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    clocks: list[ClockName] = Field(min_length=1)
    priorities: list[int] | None = Field(None, description="1-4; omitted: every priority.")
    thresholds: list[float | Literal["warning", "breach"]] = Field(min_length=1)
    notify: list[str] = Field(min_length=1)

    def matches(self, clock: str, priority: int, threshold: float, breach: bool) -> bool:
        if clock not in self.clocks or (self.priorities and priority not in self.priorities):
            return False
        wanted = "breach" if breach else "warning"
        return wanted in self.thresholds or (not breach and float(threshold) in self.thresholds)


class AvailabilityRule(BaseModel):
    """Who is told when a month misses the availability target of one of `classes`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    classes: list[Literal["core", "supporting"]] = Field(min_length=1)
    notify: list[str] = Field(min_length=1)


class EscalationPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100)
    recipients: dict[str, EmailStr] = Field(default_factory=dict)
    rules: list[Rule] = Field(default_factory=list)
    availability: list[AvailabilityRule] = Field(default_factory=list)

    @field_validator("availability")
    @classmethod
    def _known_availability_recipients(cls, rules: list[AvailabilityRule], info) -> list[AvailabilityRule]:
        named = set(info.data.get("recipients") or {})
        for rule in rules:
            for recipient in rule.notify:
                if recipient not in named | {ON_CALL_WEBHOOK} and "@" not in recipient:
                    raise ValueError(f"unknown availability recipient {recipient!r}: an address, "
                                     f"one of {sorted(named)} or {ON_CALL_WEBHOOK}")
        return rules

    @field_validator("rules")
    @classmethod
    def _known_recipients(cls, rules: list[Rule], info) -> list[Rule]:
        named = set(info.data.get("recipients") or {})
        for rule in rules:
            for recipient in rule.notify:
                if recipient not in named | {CUSTOMER_CONTACT, ON_CALL_WEBHOOK} and "@" not in recipient:
                    raise ValueError(f"unknown recipient {recipient!r}: an address, one of "
                                     f"{sorted(named)}, {CUSTOMER_CONTACT} or {ON_CALL_WEBHOOK}")
        return rules

    @property
    def version(self) -> str:
        dumped = self.model_dump(mode="json")
        if not dumped["availability"]:  # policies written before it keep their versions
            del dumped["availability"]
        canonical = json.dumps(dumped, sort_keys=True)
        return f"{self.name}-{hashlib.sha256(canonical.encode()).hexdigest()[:8]}"

    def recipients_for(self, clock: str, priority: int, threshold: float, breach: bool) -> list[str]:
        """Who is told, in the policy's order, each once: addresses (named ones resolved),
        `customer-contact` and `on-call-webhook` left for the caller to resolve."""
        found: list[str] = []
        for rule in self.rules:
            if rule.matches(clock, priority, threshold, breach):
                for recipient in rule.notify:
                    resolved = self.recipients.get(recipient, recipient)
                    if resolved not in found:
                        found.append(resolved)
        return found


def availability_recipients(policy: EscalationPolicy, service_class: str) -> list[str]:
    """Who is told of a missed `service_class` target, in the policy's order, each once
    (named ones resolved, `on-call-webhook` left for the caller)."""
    found: list[str] = []
    for rule in policy.availability:
        if service_class in rule.classes:
            for recipient in rule.notify:
                resolved = policy.recipients.get(recipient, recipient)
                if resolved not in found:
                    found.append(resolved)
    return found


def load_policy(path: Path | None) -> EscalationPolicy:
    """The policy in `path`, or the shipped default; EscalationPolicyError says what is wrong."""
    try:
        text = path.read_text() if path else (
            resources.files("hotline_notifier.escalation") / "default_escalations.yaml").read_text()
        return EscalationPolicy.model_validate(yaml.safe_load(text))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise EscalationPolicyError(f"escalation policy {path or 'default'}: {exc}") from exc
