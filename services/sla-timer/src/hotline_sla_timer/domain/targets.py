"""`ClockTargets`: one SLA clock's due and warning instants at one clock version.

A clock's version increments whenever its instants change (priority change, pause, resume,
reopen) or when it runs again after having stopped. It says which targets were in force; the
deadline events themselves are identified by (clock, run, threshold), so a version change
re-arms only thresholds not yet reached. Targets are recorded on every change of the ticket,
as plain dicts, so the audit and a replay need no policy to know which version was in force.

`RecordedTargets` is how the aggregate keeps them: the recorded dicts, each clock's made a
`ClockTargets` when first read. A replay applies every change, but only the latest targets
are ever read, so it no longer builds the others' (most of the cost of applying a change).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline.sla import TicketSla
from hotline.sla.outcomes import BREACH, marks


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
        return cls(data["version"], tuple([(float(t), at) for t, at in data["marks"]]),
                   data["running"])


class RecordedTargets(Mapping[str, ClockTargets]):
    """Every clock's targets as recorded (`{clock: ClockTargets.as_dict()}`), read as
    `ClockTargets`, each built once, when first read. The recorded dicts are not copied:
    they are an event's, which nothing changes."""

    __slots__ = ("_data", "_built")

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self._built: dict[str, ClockTargets] = {}

    def __getitem__(self, clock: str) -> ClockTargets:
        try:
            return self._built[clock]
        except KeyError:
            targets = self._built[clock] = ClockTargets.from_dict(self._data[clock])
            return targets

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, clock: object) -> bool:
        return clock in self._data

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self.items())!r})"


def next_targets(previous: dict[str, ClockTargets], result: TicketSla) -> dict[str, ClockTargets]:
    """Every clock's targets after a change, with the version bumped where they moved."""
    targets = {}
    for state in result.clocks:
        before = previous.get(state.clock, ClockTargets())
        now_marks = tuple(marks(state))
        running = state.started_at is not None and state.stopped_at is None
        moved = now_marks != before.marks or (running and not before.running and bool(now_marks))
        version = before.version + 1 if moved else before.version
        targets[state.clock] = ClockTargets(version, now_marks, running)
    return targets
