"""HOTLINE_TEST_INFRA: auto, containers or embedded, with or without a Docker engine."""

from __future__ import annotations

import pytest
from infra_selection import InfraSelectionError, docker_reachable, select_infra


def never_asked() -> bool:
    raise AssertionError("the engine must not be probed for `embedded`")


@pytest.mark.parametrize(("setting", "engine", "expected"), [
    (None, True, "containers"),
    (None, False, "embedded"),
    ("", False, "embedded"),
    ("auto", True, "containers"),
    ("auto", False, "embedded"),
    ("AUTO", True, "containers"),
    ("containers", True, "containers"),
    (" containers ", True, "containers"),
])
def test_choices(setting, engine, expected):
    assert select_infra(setting, lambda: engine) == expected


def test_embedded_never_probes_the_engine():
    assert select_infra("embedded", never_asked) == "embedded"


def test_containers_without_an_engine_is_a_clear_error():
    with pytest.raises(InfraSelectionError, match="no Docker engine.*HOTLINE_TEST_INFRA=embedded"):
        select_infra("containers", lambda: False)


def test_unknown_setting_is_refused():
    with pytest.raises(InfraSelectionError, match="auto, containers, embedded"):
        select_infra("docker", lambda: True)


def test_an_unreachable_engine_is_false_not_an_error(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert docker_reachable(timeout=0.5) is False
