"""docs/settings.md is generated from the settings classes and must stay current."""

from __future__ import annotations

import re
from pathlib import Path

from hotline import settings_doc

ROOT = Path(__file__).resolve().parents[3]
SETTINGS_CLASS = re.compile(r"^class (\w+)\((?:BaseSettings|\w*Settings)\)", re.MULTILINE)


def test_docs_settings_md_is_what_the_generator_writes():
    path = ROOT / "docs" / "settings.md"
    assert path.exists(), f"{path} is missing: run `{settings_doc.REGENERATE}` to write it"
    assert path.read_text() == settings_doc.render(), (
        f"{path} is out of date with the settings classes: run `{settings_doc.REGENERATE}` "
        "(.venv/bin/hotline settings doc) and commit the result")


def test_every_settings_class_in_the_source_is_in_the_table():
    sources = [*ROOT.glob("shared/src/**/*.py"), *ROOT.glob("services/*/src/**/*.py")]
    defined = {name for p in sources for name in SETTINGS_CLASS.findall(p.read_text())}
    covered = {cls.__name__ for cls in settings_doc.settings_classes()}
    assert defined - covered == set(), (
        f"settings classes missing from hotline.settings_doc.SECTIONS: {defined - covered}")


def test_every_field_has_a_description():
    for cls in settings_doc.settings_classes():
        for name in cls.model_fields:
            if name not in settings_doc.INTERNAL_FIELDS:
                assert settings_doc.description(cls, name), f"{cls.__name__}.{name}"


def test_rows_use_prefixes_aliases_and_readable_defaults():
    text = settings_doc.render()
    assert "| `HOTLINE_KAFKA_IDEMPOTENCE` | `true` |" in text
    assert "| `HOTLINE_KAFKA_SASL_PASSWORD` | (unset) |" in text
    assert "`HOTLINE_BILLING_HTTP_PORT` | `8083`" in text
    assert "HOTLINE_HTTP_PORT" not in text  # the port is per service
    assert text.count("`HOTLINE_DATABASE_URL`") == 1  # stack-wide: listed once
    assert "`HOTLINE_INTAKE_MAX_BACKDATE` | `15m`" in text
