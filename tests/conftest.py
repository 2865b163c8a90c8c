"""Session fixtures that start real infrastructure (see tests/harness.py).

- `infra` (session): PostgreSQL with a fresh per-session database (dropped at the end) and
  a fresh tansu broker on a free port with Hotline's topics. Attributes: database_url,
  kafka_bootstrap, server_url, partitions, env, fresh_database(), log_dir.
- `stack` (session, started only when a test asks for it): `infra` + mail sink + every
  installed service on free ports (simulated clock on, demo directory). See `harness.Stack`.
- `kafka_messages(bootstrap, topic, ...)` and `headers_dict(record)` live in `harness`.

Nothing here is skipped: a test that cannot get its infrastructure errors.
"""

from __future__ import annotations

import os

import pytest
import pytest_asyncio
from harness import Infra, Stack, start_infra, start_stack

_STACK: Stack | None = None

# The outage-day fault tests take minutes of injected outages: `make test-faults` runs them
# (HOTLINE_TEST_FAULTS=1), as CI's own step after `make test`.
collect_ignore = [] if os.environ.get("HOTLINE_TEST_FAULTS") else ["faults"]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def infra(tmp_path_factory: pytest.TempPathFactory):
    started = await start_infra(tmp_path_factory.mktemp("infra") / "logs")
    try:
        yield started
    finally:
        await started.close()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def stack(infra: Infra, tmp_path_factory: pytest.TempPathFactory):
    global _STACK
    started = await start_stack(infra, tmp_path_factory.mktemp("stack"))
    _STACK = started
    try:
        yield started
    finally:
        _STACK = None
        await started.close()


@pytest_asyncio.fixture(autouse=True, loop_scope="session")
async def _stack_services_up(request: pytest.FixtureRequest):
    """Before each test that uses `stack`, start again any service an earlier test
    killed or stopped and left down."""
    if _STACK is not None and "stack" in request.fixturenames:
        await _STACK.ensure_running()
    yield
