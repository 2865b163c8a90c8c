"""`hotline calendar` commands, through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hotline.cli.calendar_cmd import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


def test_holidays_json() -> None:
    result = run("holidays", "2029", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"date": "2029-11-21", "name": "Day before Thanksgiving"} in rows
    assert len(rows) == 10


def test_holidays_human() -> None:
    result = run("holidays", "2029")
    assert result.exit_code == 0
    assert "2029-11-21  Wed  Day before Thanksgiving" in result.output


def test_add_json_matches_the_issue() -> None:
    result = run("add", "2026-11-25T16:00:00-08:00", "8h", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["due"] == "2026-11-27T16:00:00-08:00"
    assert payload["support_seconds"] == 8 * 3600
    assert payload["calendar_version"].startswith("standard-support-hours-")


def test_add_accepts_utc_and_days() -> None:
    result = run("add", "2026-03-09T16:00:00Z", "2d", "--json")  # 09:00 PDT
    assert json.loads(result.output)["due"] == "2026-03-11T09:00:00-07:00"


def test_elapsed_json() -> None:
    result = run("elapsed", "2026-03-06T17:00:00-08:00", "2026-03-09T15:00:00-07:00", "--json")
    payload = json.loads(result.output)
    assert payload["support_hours"] == 8
    assert payload["elapsed"] == "8h"


def test_is_open() -> None:
    payload = json.loads(run("is-open", "2026-03-07T12:00:00-08:00", "--json").output)
    assert payload == {**payload, "open": False, "next_open": "2026-03-09T08:00:00-07:00"}


def test_bad_input_is_a_clear_error() -> None:
    for args in (
        ("add", "2026-11-25T16:00:00", "8h"),
        ("add", "yesterday", "8h"),
        ("add", "2026-11-25T16:00:00-08:00", "8x"),
        ("elapsed", "2026-11-25T16:00:00-08:00", "soon"),
        ("holidays", "12"),
    ):
        result = run(*args)
        assert result.exit_code == 2, args
        assert "Invalid value" in result.output
