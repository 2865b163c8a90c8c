"""`hotline sla deadlines`, through typer's CliRunner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hotline.cli.sla_cmd import app

runner = CliRunner()


def test_deadlines_json_matches_the_issue() -> None:
    result = runner.invoke(
        app, ["deadlines", "--priority", "2", "--opened-at", "2026-03-06T17:00:00-08:00", "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["response"]["due"] == "2026-03-09T15:00:00-07:00"
    assert payload["response"]["warnings"][0] == {"threshold": 75, "at": "2026-03-09T13:00:00-07:00"}
    assert payload["resolution"]["due"] == "2026-03-13T17:00:00-07:00"
    assert payload["policy_version"].startswith("contract-sla-")
    assert payload["calendar_version"].startswith("standard-support-hours-")


def test_deadlines_with_resolution_and_human_output() -> None:
    result = runner.invoke(
        app,
        ["deadlines", "-p", "P1", "--opened-at", "2026-03-06T17:00:00-08:00",
         "--resolved-at", "2026-03-07T10:00:00-08:00"],
    )
    assert result.exit_code == 0, result.output
    assert "rfo         due 2026-03-09T11:00:00-07:00" in result.output  # 48 real hours, DST


def test_deadlines_bad_input() -> None:
    for args in (["-p", "5", "--opened-at", "2026-03-06T17:00:00-08:00"],
                 ["-p", "2", "--opened-at", "2026-03-06T17:00:00"]):
        result = runner.invoke(app, ["deadlines", *args])
        assert result.exit_code == 2 and "Invalid value" in result.output
