"""Which infrastructure the test session runs on: `HOTLINE_TEST_INFRA=auto|containers|embedded`.

- `embedded`: PostgreSQL from the local binaries and the `tansu` broker as child processes
  (HOTLINE_KAFKA_IDEMPOTENCE off: tansu refuses the idempotent producer).
- `containers`: PostgreSQL and Apache Kafka (KRaft) in Docker containers started with
  testcontainers, idempotent producer on, as in production. An error when no Docker engine
  answers.
- `auto` (default): containers when a Docker engine answers, else embedded.

`select_infra` is the pure decision (tests/unit/shared/test_infra_selection.py);
`docker_reachable` asks the engine named by DOCKER_HOST (or the default socket).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

ENV = "HOTLINE_TEST_INFRA"
CHOICES = ("auto", "containers", "embedded")
Infra = Literal["containers", "embedded"]


class InfraSelectionError(RuntimeError):
    pass


def select_infra(setting: str | None, docker_reachable: Callable[[], bool]) -> Infra:
    """`setting`: the value of HOTLINE_TEST_INFRA (None or empty: auto). `docker_reachable` is
    only called when the answer depends on it."""
    choice = (setting or "auto").strip().lower()
    if choice not in CHOICES:
        raise InfraSelectionError(
            f"{ENV}={setting!r}: expected one of {', '.join(CHOICES)}")
    if choice == "embedded":
        return "embedded"
    reachable = docker_reachable()
    if choice == "containers" and not reachable:
        raise InfraSelectionError(
            f"{ENV}=containers but no Docker engine answers (DOCKER_HOST or the default "
            "socket): start Docker, or run with HOTLINE_TEST_INFRA=embedded (or auto)")
    return "containers" if reachable else "embedded"


def docker_reachable(timeout: float = 3.0) -> bool:
    """True when a Docker engine answers a ping."""
    try:
        import docker

        client = docker.from_env(timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # noqa: BLE001  (no socket, no permission, no package: not reachable)
        return False
