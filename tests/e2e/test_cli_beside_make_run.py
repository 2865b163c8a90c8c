"""A newcomer's second terminal: with `hotline run` up and nothing exported but
HOTLINE_SIMULATED_CLOCK=true, CLI commands find the stack through `var/stack.json`; once it is
stopped they fail with one clear line and exit status 2, never a traceback.

`hotline run` gets a fresh database on the session's PostgreSQL server, its own broker and free
ports, so it shares nothing with the test stack."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from hotline.devstack import services as svc
from hotline.devstack.ports import free_ports

pytestmark = pytest.mark.e2e
HOTLINE = str(Path(sys.executable).with_name("hotline"))


def newcomer(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"),
           "HOTLINE_SIMULATED_CLOCK": "true"}
    return subprocess.run([HOTLINE, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


async def test_cli_commands_find_the_stack_started_by_hotline_run(infra, tmp_path):
    database = infra.fresh_database()
    pg_port, kafka_port, mail_port, *service_ports = free_ports(8)
    ports = {"intake": {"HTTP_PORT": service_ports[0], "SMTP_PORT": service_ports[1]},
             "sla-timer": {"HTTP_PORT": service_ports[2]}, "notifier": {"HTTP_PORT": service_ports[3]},
             "billing": {"HTTP_PORT": service_ports[4]}}
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env.update(HOTLINE_DATABASE_URL=database, HOTLINE_SIMULATED_CLOCK="true", **svc.port_env(ports))
    run = subprocess.Popen(
        [HOTLINE, "run", "--var-dir", str(tmp_path / "var"), "--pg-port", str(pg_port),
         "--kafka-port", str(kafka_port), "--mail-port", str(mail_port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stack_file = tmp_path / "var" / "stack.json"
    try:
        async with asyncio.timeout(180):
            while not stack_file.exists():
                assert run.poll() is None, run.stdout.read()
                await asyncio.sleep(0.5)
        written = json.loads(stack_file.read_text())
        assert written["HOTLINE_DATABASE_URL"] == database
        assert written["HOTLINE_SIMULATED_CLOCK"] == "true"
        assert written["HOTLINE_SLA_TIMER_URL"] == f"http://127.0.0.1:{service_ports[2]}"

        shown = newcomer(tmp_path, "clock", "set", "2026-11-30T09:00:00-08:00")
        assert shown.returncode == 0, shown.stderr
        shown = newcomer(tmp_path, "clock", "show")
        assert shown.returncode == 0, shown.stderr
        assert datetime.fromisoformat(shown.stdout.strip()) == datetime.fromisoformat("2026-11-30T09:00:00-08:00")
        policies = newcomer(tmp_path, "sla", "policies", "--json")
        assert policies.returncode == 0, policies.stderr
        assert {row["kind"] for row in json.loads(policies.stdout)} == {"sla-policy", "calendar"}
        missing = newcomer(tmp_path, "ticket", "show", "T-999999")
        assert missing.returncode == 1 and "no ticket T-999999" in missing.stderr  # it reached intake
    finally:
        run.send_signal(signal.SIGINT)
        try:
            run.wait(timeout=60)
        except subprocess.TimeoutExpired:
            run.kill()
        infra.drop_database(database)
    assert not stack_file.exists()  # a stopped stack leaves no addresses behind

    for args in (["clock", "show"], ["sla", "policies"], ["ticket", "show", "T-000001"]):
        failed = newcomer(tmp_path, *args)
        assert failed.returncode == 2, (args, failed.stdout, failed.stderr)
        assert "Traceback" not in failed.stderr and len(failed.stderr.strip().splitlines()) == 1, failed.stderr
        assert "cannot reach" in failed.stderr and "make run" in failed.stderr
