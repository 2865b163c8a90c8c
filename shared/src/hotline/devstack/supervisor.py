"""Supervisor: start named child processes, log their output, wait until they are ready,
stop them by pid (stop signal, then SIGKILL after a timeout), kill one with SIGKILL and
start it again.

Each child runs in its own session (process group), so a terminal Ctrl-C reaches only the
parent, which then stops the children in reverse start order; SIGKILL goes to the child's
whole group so nothing it forked survives. On Linux each child also gets a parent-death
signal, so children die even when the parent is SIGKILLed (the signal is tied to the thread
that started the child: start children from the main/event-loop thread). An `atexit` hook
stops whatever is still running when the interpreter exits.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hotline.devstack.ports import check_port_free

ReadyProbe = Callable[[], Awaitable[bool]]


class StartError(RuntimeError):
    """A child exited or did not become ready in time; the message carries its log tail."""


@dataclass
class ProcessSpec:
    """How to run one child. `ready` is polled until it returns True (None: started = ready).
    `ports` are (port, what, setting) triples checked free before every start."""

    name: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    cwd: str | None = None
    ready: ReadyProbe | None = None
    ready_timeout: float = 60.0
    stop_signal: int = signal.SIGTERM
    stop_timeout: float = 10.0
    user: str | None = None
    ports: Sequence[tuple[int, str, str]] = ()
    death_signal: int = signal.SIGTERM


@dataclass
class Child:
    spec: ProcessSpec
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    starts: int = 0
    _log_file: object | None = field(default=None, repr=False)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def _death_signal_preexec(sig: int) -> Callable[[], None] | None:
    if not sys.platform.startswith("linux"):
        return None

    def preexec() -> None:  # runs in the child, after the uid change
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, sig)  # PR_SET_PDEATHSIG

    return preexec


def tail(path: Path | None, lines: int = 40) -> str:
    if path is None or not path.exists():
        return ""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 16384))
        text = f.read().decode("utf-8", "replace")
    return "\n".join(text.splitlines()[-lines:])


_ALL: weakref.WeakSet[Supervisor] = weakref.WeakSet()


class Supervisor:
    """A set of named children; output of child NAME goes to `<log_dir>/NAME.log`."""

    def __init__(self, log_dir: Path | str) -> None:
        self.log_dir = Path(log_dir)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.children: dict[str, Child] = {}
        _ALL.add(self)

    # -- registry --------------------------------------------------------------------
    def add(self, spec: ProcessSpec) -> Child:
        """Register (or replace the spec of) a child without starting it."""
        child = self.children.get(spec.name)
        if child is None:
            child = self.children[spec.name] = Child(spec)
        else:
            child.spec = spec
        return child

    def __getitem__(self, name: str) -> Child:
        return self.children[name]

    def pid(self, name: str) -> int | None:
        return self.children[name].pid

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    # -- start -----------------------------------------------------------------------
    def spawn(self, name_or_spec: str | ProcessSpec) -> Child:
        """Start the process (no readiness wait). Raises PortInUseError for a taken port."""
        child = (
            self.add(name_or_spec)
            if isinstance(name_or_spec, ProcessSpec)
            else self.children[name_or_spec]
        )
        if child.running():
            raise RuntimeError(f"{child.spec.name} is already running (pid {child.pid})")
        spec = child.spec
        for port, what, setting in spec.ports:
            check_port_free(port, what, setting)
        child.log_path = self.log_path(spec.name)
        log = open(child.log_path, "ab", buffering=0)  # noqa: SIM115 - kept open while the child runs
        log.write(
            f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {spec.name}: "
            f"{' '.join(map(str, spec.argv))}\n".encode()
        )
        kwargs: dict = {}
        if spec.user:
            kwargs.update(user=spec.user, group=spec.user, extra_groups=[])
        try:
            child.proc = subprocess.Popen(
                [str(a) for a in spec.argv],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=spec.env,
                cwd=spec.cwd,
                start_new_session=True,
                preexec_fn=_death_signal_preexec(spec.death_signal),  # noqa: PLW1509
                **kwargs,
            )
        except BaseException:
            log.close()
            raise
        if child._log_file is not None:
            child._log_file.close()  # type: ignore[attr-defined]
        child._log_file = log
        child.starts += 1
        return child

    async def wait_ready(self, name: str) -> None:
        """Poll the child's probe until ready; on exit or timeout stop it and raise StartError."""
        child = self.children[name]
        spec = child.spec
        deadline = time.monotonic() + spec.ready_timeout
        delay = 0.05
        while True:
            if not child.running():
                code = child.proc.returncode if child.proc else None
                raise StartError(
                    f"{name} exited with code {code} while starting; "
                    f"log {child.log_path}:\n{tail(child.log_path)}"
                )
            if spec.ready is None:
                return
            try:
                ok = await spec.ready()
            except Exception:  # noqa: BLE001 - a probe failure means "not yet"
                ok = False
            if ok:
                await asyncio.sleep(0.05)
                if child.running():  # not someone else answering on a port we failed to bind
                    return
                continue
            if time.monotonic() > deadline:
                self.kill(name)
                raise StartError(
                    f"{name} was not ready after {spec.ready_timeout:.0f}s; "
                    f"log {child.log_path}:\n{tail(child.log_path)}"
                )
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    async def start(self, name_or_spec: str | ProcessSpec) -> Child:
        """Start one child and wait until it is ready."""
        child = self.spawn(name_or_spec)
        await self.wait_ready(child.spec.name)
        return child

    async def start_many(self, specs: Sequence[ProcessSpec | str]) -> None:
        """Start several children at once and wait for all (stop all started on failure)."""
        names = []
        try:
            for s in specs:
                names.append(self.spawn(s).spec.name)
            results = await asyncio.gather(
                *(self.wait_ready(n) for n in names), return_exceptions=True
            )
        except BaseException:
            await self.stop_many(names)
            raise
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            await self.stop_many(names)
            raise errors[0]

    async def restart(self, name: str) -> Child:
        """Stop (if running) and start again, waiting for readiness."""
        await self.stop(name)
        return await self.start(name)

    # -- stop ------------------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL the child and its process group, and reap it."""
        child = self.children[name]
        if child.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            child.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.proc.wait(5)
        self._close_log(child)

    async def stop(self, name: str) -> int | None:
        """Send the stop signal, wait up to the stop timeout, then SIGKILL. Returns exit code."""
        child = self.children[name]
        proc = child.proc
        if proc is None:
            return None
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(child.spec.stop_signal)
            deadline = time.monotonic() + child.spec.stop_timeout
            while proc.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        self.kill(name)  # also sweeps leftovers in its process group
        return proc.returncode

    async def stop_many(self, names: Sequence[str]) -> None:
        await asyncio.gather(*(self.stop(n) for n in names), return_exceptions=True)

    async def stop_all(self) -> None:
        """Stop every child, in reverse start order."""
        for name in reversed(list(self.children)):
            await self.stop(name)

    def stop_all_sync(self) -> None:
        """Blocking variant of `stop_all` for atexit hooks and finalizers."""
        for name in reversed(list(self.children)):
            child = self.children[name]
            proc = child.proc
            if proc is None:
                continue
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(child.spec.stop_signal)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(child.spec.stop_timeout)
            self.kill(name)

    @staticmethod
    def _close_log(child: Child) -> None:
        if child._log_file is not None:
            child._log_file.close()  # type: ignore[attr-defined]
            child._log_file = None


@atexit.register
def _stop_everything() -> None:
    for sup in list(_ALL):
        with contextlib.suppress(Exception):
            sup.stop_all_sync()
