"""The `hotline` command against the running test stack, as a given role, and the stack's
simulated clock: what end-to-end tests share."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOTLINE = str(Path(sys.executable).with_name("hotline"))


def hotline(stack, *args: str, role: str = "admin", timeout: float = 120) -> subprocess.CompletedProcess:
    """`hotline ARGS` with the stack's settings and `role`'s token."""
    env = {**stack.env, "HOTLINE_TOKEN": stack.tokens[role]}
    return subprocess.run([HOTLINE, *args], env=env, capture_output=True, text=True, timeout=timeout)


def ok(done: subprocess.CompletedProcess) -> str:
    """The output of a command that must succeed (its error output otherwise)."""
    assert done.returncode == 0, done.stderr
    return done.stdout


def set_clock(stack, at: str) -> None:
    """Move the stack's simulated clock to `at` (ISO-8601 with offset)."""
    ok(hotline(stack, "clock", "set", at))
