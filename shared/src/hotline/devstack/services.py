"""The Hotline services as supervised children: discovery, ports, environment, specs.

Installed services are the `hotline.services` entry points whose module can be imported
(a package may declare its entry point before its code exists). Each runs as
`<venv>/bin/hotline serve NAME`, configured only by environment: the stack-wide
`HOTLINE_*` variables plus `HOTLINE_<SERVICE>_<FIELD>` for its own ports.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import importlib.util
import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx

from hotline.devstack.ports import HOST
from hotline.devstack.supervisor import ProcessSpec

# default ports of `make run`: service -> {FIELD: port}; FIELD names the env var suffix
DEFAULT_PORTS: dict[str, dict[str, int]] = {
    "intake": {"HTTP_PORT": 8080, "SMTP_PORT": 2525},
    "notifier": {"HTTP_PORT": 8081},
    "sla-timer": {"HTTP_PORT": 8082},
    "billing": {"HTTP_PORT": 8083},
}
START_ORDER = ["intake", "sla-timer", "notifier", "billing"]


def env_prefix(service: str) -> str:
    """`sla-timer` -> `HOTLINE_SLA_TIMER_`."""
    return "HOTLINE_" + service.upper().replace("-", "_") + "_"


def installed_services() -> list[str]:
    """Names of the installed services, in start order (intake first)."""
    names = []
    for ep in importlib.metadata.entry_points(group="hotline.services"):
        module = ep.value.split(":", 1)[0]
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if found:
            names.append(ep.name)
    order = {n: i for i, n in enumerate(START_ORDER)}
    return sorted(set(names), key=lambda n: (order.get(n, len(order)), n))


def demo_directory_file() -> Path | None:
    """The demo customer directory shipped by the intake package, if there is one."""
    try:
        res = importlib.resources.files("hotline_intake") / "demo_directory.yaml"
    except (ModuleNotFoundError, TypeError):
        return None
    path = Path(str(res))
    return path if path.is_file() else None


def hotline_command() -> list[str]:
    """The `hotline` console script of this interpreter's environment."""
    script = Path(sys.executable).parent / "hotline"
    if script.exists():
        return [str(script)]
    found = shutil.which("hotline")
    return [found] if found else [sys.executable, "-m", "hotline.cli.main"]


def port_env(ports: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
    """{service: {FIELD: port}} -> {HOTLINE_<SERVICE>_<FIELD>: "port"}."""
    return {env_prefix(s) + f: str(p) for s, fields in ports.items() for f, p in fields.items()}


def http_port(env: Mapping[str, str], service: str) -> int:
    return int(env[env_prefix(service) + "HTTP_PORT"])


def http_url(env: Mapping[str, str], service: str) -> str:
    return f"http://{HOST}:{http_port(env, service)}"


async def http_ready(url: str) -> bool:
    async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
        response = await client.get(url)
        return response.status_code == 200


def service_spec(
    service: str,
    env: Mapping[str, str],
    *,
    check_ports: bool = False,
    ready_timeout: float = 90.0,
    argv: list[str] | None = None,
) -> ProcessSpec:
    """`hotline serve SERVICE` with `env`, ready when GET /readyz answers 200."""
    url = http_url(env, service) + "/readyz"
    prefix = env_prefix(service)
    ports = []
    if check_ports:
        for key, value in env.items():
            if key.startswith(prefix) and key.endswith("_PORT"):
                ports.append((int(value), f"{service} {key[len(prefix) :].lower()}", key))
    return ProcessSpec(
        name=service,
        argv=argv or [*hotline_command(), "serve", service],
        env=dict(env),
        ready=lambda: http_ready(url),
        ready_timeout=ready_timeout,
        stop_timeout=10,
        ports=ports,
    )


def base_env(
    extra: Mapping[str, str] | None = None, *, keep_hotline: bool = True
) -> dict[str, str]:
    """This process's environment plus `extra`. With `keep_hotline=False` (tests) the
    caller's own HOTLINE_* variables are dropped, except the log level and OTLP endpoint,
    so a developer's shell settings cannot leak into a test stack."""
    env = dict(os.environ)
    if not keep_hotline:
        keep = {"HOTLINE_LOG_LEVEL", "HOTLINE_OTLP_ENDPOINT"}
        env = {k: v for k, v in env.items() if not k.startswith("HOTLINE_") or k in keep}
    env.setdefault("PYTHONUNBUFFERED", "1")
    if extra:
        env.update(extra)
    return env
