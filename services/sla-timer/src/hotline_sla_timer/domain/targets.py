"""`ClockTargets`: one SLA clock's due and warning instants at one clock version.

A clock's version increments whenever its instants change (priority change, pause, resume,
reopen) or when it runs again after having stopped; the deadline events it owes are identified
by (clock, threshold, clock version). Targets are recorded on every change of the ticket, as
plain dicts, so the audit and a replay need no policy to know which version was in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.sla import ClockState, TicketSla

BREACH = 100.0
"""The threshold of the due instant itself (breach or met)."""


@dataclass(frozen=True)
class ClockTargets:
    version: int = 0
    marks: tuple[tuple[float, datetime], ...] = ()  # (threshold %, instant), warnings then 100
    running: bool = False  # started and not stopped (a paused clock still runs)

    @property
    def due_at(self) -> datetime | None:
        return next((at for threshold, at in self.marks if threshold == BREACH), None)

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "marks": [[t, at] for t, at in self.marks],
                "running": self.running}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClockTargets:
        return cls(data["version"], tuple((float(t), at) for t, at in data["marks"]), data["running"])


def marks_of(state: ClockState) -> tuple[tuple[float, datetime], ...]:
    if state.started_at is None or state.budget is None:
        return ()
    marks = [(float(w.threshold), w.at) for w in state.warnings]
    if state.due_at is not None:
        marks.append((BREACH, state.due_at))
    return tuple(marks)


def next_targets(previous: dict[str, ClockTargets], result: TicketSla) -> dict[str, ClockTargets]:
    """Every clock's targets after a change, with the version bumped where they moved."""
    targets = {}
    for state in result.clocks:
        before = previous.get(state.clock, ClockTargets())
        marks = marks_of(state)
        running = state.started_at is not None and state.stopped_at is None
        moved = marks != before.marks or (running and not before.running and bool(marks))
        targets[state.clock] = ClockTargets(before.version + 1 if moved else before.version, marks, running)
    return targets
