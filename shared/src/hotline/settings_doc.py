"""The settings table, generated: every pydantic-settings class of the stack, one row per
environment variable (its name, default and the field's description), grouped by service.

`hotline settings doc` writes it to docs/settings.md; `hotline settings doc --check` (and
tests/unit/shared/test_settings_doc.py) fails when the file differs from what this produces.
A field without a description is an error here (descriptions are inherited from a base class
when a subclass only changes the default).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
from collections.abc import Iterator
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

REGENERATE = "hotline settings doc"
# The repository's docs/settings.md (this file is shared/src/hotline/settings_doc.py).
DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "settings.md"

# (section title, what it covers, "module:Class" of each settings class read there)
SECTIONS: list[tuple[str, str, list[str]]] = [
    ("Stack-wide", "Read by every service (and the `hotline` CLI); same name everywhere.",
     ["hotline.settings:HotlineSettings", "hotline.settings:ServiceSettings",
      "hotline.audit.settings:AuditSettings"]),
    ("SLA policy", "Read by intake (ticket deadlines), sla-timer and the `hotline sla` commands.",
     ["hotline.sla.settings:SlaSettings"]),
    ("Support calendar", "Read wherever support time is counted (sla-timer, billing, intake).",
     ["hotline.calendar.settings:CalendarSettings"]),
    ("intake", "The ticket intake service (HTTP API, inbound SMTP, customer portal).",
     ["hotline_intake.settings:IntakeSettings", "hotline_intake.history_settings:HistorySettings"]),
    ("sla-timer", "SLA clocks, timers and warnings.",
     ["hotline_sla_timer.settings:SlaTimerSettings"]),
    ("notifier", "Emails and pages.", ["hotline_notifier.settings:NotifierSettings"]),
    ("billing", "Off-hours reviews, charges and quotes.",
     ["hotline_billing.settings:BillingSettings"]),
]

# Fields that are wiring, not settings: never documented.
INTERNAL_FIELDS = {"service_name"}
# Base classes of the services' settings: only their fields with a fixed variable name are
# stack-wide; the others (HTTP host and port) appear under each service with its prefix.
SERVICE_BASES = {"hotline.settings:ServiceSettings"}


# Variables of the tools around the services (not settings classes), documented by hand.
TOOL_VARIABLES: list[tuple[str, str, str]] = [
    ("HOTLINE_TOKEN", "(from `var/stack.json` while `hotline run` runs)",
     "Bearer token the `hotline` commands send to the services' APIs."),
    ("HOTLINE_<SERVICE>_URL", "127.0.0.1 at `HOTLINE_<SERVICE>_HTTP_PORT`",
     "Where the `hotline` commands find a service (e.g. `HOTLINE_BILLING_URL`); or `--url`."),
    ("HOTLINE_DEVSTACK_POSTGRES_PORT / _KAFKA_PORT / _MAIL_PORT", "`55432` / `9092` / `1025`",
     "Ports of the embedded PostgreSQL, tansu broker and mail sink `hotline run` starts."),
    ("HOTLINE_TEST_INFRA", "`auto`",
     "Tests: `containers` (PostgreSQL and Apache Kafka in Docker, idempotent producer on), "
     "`embedded` (local PostgreSQL and tansu) or `auto` (containers when Docker answers)."),
]


def settings_classes() -> list[type[BaseSettings]]:
    """Every class the table covers (the test checks none in the source is left out)."""
    return [_load(path) for _, _, paths in SECTIONS for path in paths]


def _load(path: str) -> type[BaseSettings]:
    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


def env_names(cls: type[BaseSettings], name: str, field: FieldInfo) -> list[str]:
    """The environment variable(s) pydantic-settings reads for a field."""
    alias = field.validation_alias or field.alias
    if isinstance(alias, str):
        return [alias.upper()]
    if isinstance(alias, AliasChoices):
        return [c.upper() for c in alias.choices if isinstance(c, str)]
    return [(cls.model_config.get("env_prefix", "") + name).upper()]


def invalid_setting(error: ValidationError) -> str | None:
    """One line saying which environment variable a settings class refused and why, or None
    when `error` is not about one of `settings_classes()`. A secret's value is never echoed."""
    cls = next((c for c in settings_classes() if c.__name__ == error.title), None)
    if cls is None:
        return None
    problems = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else None
        field = cls.model_fields.get(name) if name else None
        variable = env_names(cls, name, field)[0] if field and name else cls.__name__
        shown = problem.get("input")
        secret = field is not None and "Secret" in str(field.annotation)
        got = f" (got {shown!r})" if isinstance(shown, str) and not secret else ""
        problems.append(f"{variable}: {problem['msg']}{got}")
    return "; ".join(problems)


def description(cls: type[BaseSettings], name: str) -> str | None:
    """The field's description, else the one of the nearest base class that has one."""
    for klass in cls.__mro__:
        field = getattr(klass, "model_fields", {}).get(name)
        if field is not None and field.description:
            return " ".join(field.description.split())
    return None


@contextlib.contextmanager
def _bare_environment() -> Iterator[None]:
    """Defaults computed by a factory must not depend on this shell's HOTLINE_* variables."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("HOTLINE_")}
    for key in saved:
        del os.environ[key]
    try:
        yield
    finally:
        os.environ.update(saved)


def default_text(field: FieldInfo) -> str:
    if field.default_factory is not None:
        with _bare_environment():
            value: Any = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "(required)"
    else:
        value = field.default
    if value is None:
        return "(unset)"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Enum):
        text = str(value.value)
    elif isinstance(value, dt.time):
        text = value.strftime("%H:%M")
    elif isinstance(value, dt.timedelta):
        text = duration_text(value)
    elif isinstance(value, (list, tuple, set, frozenset)):
        text = ",".join(str(v) for v in value)
    elif isinstance(value, (int, float, Decimal, str)):
        text = str(value)
    else:
        text = str(value)
    return "`" + text + "`" if text else '`""`'


def duration_text(value: dt.timedelta) -> str:
    """15m, 8h, 7d, 1h30m: as the duration settings are written."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rows(cls: type[BaseSettings], skip: set[str], *,
         aliased_only: bool = False) -> list[tuple[str, str, str]]:
    """(variable, default, meaning) for each field of `cls` whose variable is not in `skip`."""
    found = []
    for name, field in cls.model_fields.items():
        if name in INTERNAL_FIELDS:
            continue
        if aliased_only and not (field.validation_alias or field.alias):
            continue
        names = env_names(cls, name, field)
        if names[0] in skip:
            continue
        meaning = description(cls, name)
        if not meaning:
            raise ValueError(f"{cls.__module__}.{cls.__qualname__}.{name} ({names[0]}) has no "
                             "description: add `description=` to its Field")
        found.append((" / ".join(names), default_text(field), meaning))
    return found


def render() -> str:
    lines = [
        "# Settings",
        "",
        f"<!-- Generated by `{REGENERATE}` from the settings classes; do not edit by hand. -->",
        "",
        "Every setting is an environment variable. Stack-wide ones have the same name in every",
        "service; a service's own ones carry its prefix (`HOTLINE_INTAKE_`, `HOTLINE_SLA_TIMER_`,",
        "`HOTLINE_NOTIFIER_`, `HOTLINE_BILLING_`). Booleans take `true`/`false`.",
        "",
    ]
    documented: set[str] = set()
    for title, blurb, paths in SECTIONS:
        table: list[tuple[str, str, str]] = []
        for path in paths:
            for row in rows(_load(path), documented, aliased_only=path in SERVICE_BASES):
                if row[0] not in {r[0] for r in table}:
                    table.append(row)
        documented.update(n for r in table for n in r[0].split(" / "))
        if not table:
            continue
        lines += [f"## {title}", "", blurb, "",
                  "| Variable | Default | Meaning |", "|---|---|---|"]
        lines += [f"| `{_cell(var)}` | {_cell(default)} | {_cell(text)} |"
                  for var, default, text in table]
        lines.append("")
    lines += ["## Outside the services", "",
              "Read by the `hotline` command, `hotline run` and the tests, not by a service.", "",
              "| Variable | Default | Meaning |", "|---|---|---|"]
    lines += [f"| `{var}` | {default} | {text} |" for var, default, text in TOOL_VARIABLES]
    lines.append("")
    return "\n".join(lines)


def write(path: Path = DOC_PATH) -> bool:
    """Write the table to `path`; True when the file changed."""
    text = render()
    old = path.read_text() if path.exists() else None
    if old == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return True
