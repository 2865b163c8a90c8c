"""`hotline schema ensure` (the Kubernetes schema Job's command) on the real PostgreSQL: creates
every service's schema, again without harm, and fails with one line when the database is away."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

pytestmark = pytest.mark.integration
HOTLINE = str(Path(sys.executable).with_name("hotline"))


def test_schemas_are_created_idempotently_and_a_missing_database_is_one_line(infra):
    url = infra.fresh_database()
    try:
        check(url)
    finally:
        infra.drop_database(url)


def check(url: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOTLINE_DATABASE_URL": url}
    for _ in range(2):
        done = subprocess.run([HOTLINE, "schema", "ensure"], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    with psycopg.connect(url) as conn:
        found = {r[0] for r in conn.execute("SELECT schema_name FROM information_schema.schemata")}
    assert {"intake", "sla_timer", "notifier", "billing"} <= found
    away = subprocess.run([HOTLINE, "schema", "ensure"], capture_output=True, text=True, timeout=60,
                          env={**env, "HOTLINE_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/none"})
    assert away.returncode == 1 and len(away.stderr.strip().splitlines()) == 1
    assert "Traceback" not in away.stderr
