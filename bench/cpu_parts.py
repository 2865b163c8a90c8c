"""CPU time spent by each part of a stack this process started, read from /proc (Linux).

`snapshot()` sums user + system CPU seconds over this process and every process below it, by
part: each service (`hotline serve NAME`), PostgreSQL (the postmaster and its backends), the
broker, the mail sink, and `load` (this process: the load clients). `per_ticket(before, after,
n)` turns two snapshots into milliseconds of CPU per ticket, part by part: on a saturated
machine these add up to what one ticket costs, steadier from run to run than the rates are.
Processes that ended between the snapshots are not counted (a PostgreSQL backend that closed).
Elsewhere than Linux, both are empty. `machine_busy()` is the whole machine's busy CPU seconds
(/proc/stat), for how many cores a window kept busy: a ceiling that leaves cores idle is bound by
something else than CPU (locks, commits), a surge that fills them by CPU.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PARTS = (("serve intake", "intake"), ("serve sla-timer", "sla-timer"),
         ("serve notifier", "notifier"), ("serve billing", "billing"),
         ("postgres", "postgres"), ("tansu", "broker"), ("mailsink", "mail sink"))


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid → (parent, command line, CPU seconds), for every readable process."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found[int(entry.name)] = (int(stat[1]), command, (int(stat[11]) + int(stat[12])) / TICKS)
    return found


def machine_busy() -> float | None:
    """CPU seconds the whole machine spent busy since boot (all but idle and I/O wait), or None
    elsewhere than Linux."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(fields) - fields[3] - fields[4]) / TICKS


def cores_busy(before: float | None, after: float | None, seconds: float) -> float | None:
    """How many cores were busy on average over a window of `seconds` (None: not known)."""
    if before is None or after is None or seconds <= 0:
        return None
    return (after - before) / seconds


def _part(command: str) -> str:
    return next((part for needle, part in PARTS if needle in command), "other")


def snapshot() -> Counter[str]:
    """CPU seconds so far, by part, of this process and its descendants."""
    if not Path("/proc/self/stat").exists():
        return Counter()
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in processes.items():
        children.setdefault(parent, []).append(pid)
    spent: Counter[str] = Counter()
    me = os.getpid()
    stack = [me]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        if pid in processes:
            _, command, seconds = processes[pid]
            spent["load" if pid == me else _part(command)] += seconds
    return spent


def per_ticket(before: Counter[str], after: Counter[str], tickets: int) -> dict[str, float]:
    """Milliseconds of CPU per ticket by part, largest first (parts that spent nothing left out)."""
    spent = {part: (after[part] - before.get(part, 0.0)) * 1000 / max(tickets, 1) for part in after}
    return dict(sorted(((p, ms) for p, ms in spent.items() if ms > 0), key=lambda x: -x[1]))
