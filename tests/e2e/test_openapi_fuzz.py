"""schemathesis against every service's OpenAPI document, through the running stack, with an
admin token: whatever it generates (valid and invalid requests), no answer is a 5xx and every
answer matches the schema the service documents."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
# One worker: hypothesis reads lambda sources with ast.parse, which is not thread-safe on
# CPython 3.11 ("AST constructor recursion depth mismatch" with two workers).
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))


@pytest.mark.parametrize("service", ["intake", "sla-timer", "notifier", "billing"])
async def test_no_request_gets_a_server_error_or_an_undocumented_answer(stack, service, tmp_path):
    command = [
        SCHEMATHESIS, "run", f"{stack.url(service)}/openapi.json",
        "--header", f"Authorization: Bearer {stack.tokens['admin']}",
        "--checks", "not_a_server_error,response_schema_conformance",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", "20", "--seed", "8", "--workers", "1", "--request-timeout", "20",
        "--max-time", "45", "--generation-database", "none",
    ]
    done = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True,
                                   timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
