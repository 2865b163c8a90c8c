"""CPU time spent by each part of a stack this process started, read from /proc (Linux).

`snapshot()` sums user + system CPU seconds over this process and every process below it, by
part: each service (`hotline serve NAME`), PostgreSQL (the postmaster and its backends), the
broker, the mail sink, and `load` (this process: the load clients). `per_ticket(before, after,
n)` turns two snapshots into milliseconds of CPU per ticket, part by part: on a saturated
machine these add up to what one ticket costs, steadier from run to run than the rates are.
Processes that ended between the snapshots are not counted (a PostgreSQL backend that closed).
Elsewhere than Linux, both are empty.
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
