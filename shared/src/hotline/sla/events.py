"""The plain, I/O-free input of the SLA policy: what happened to one ticket, and when.

Each event is a small frozen dataclass with an aware `at` instant. The policy reads them in
time order (stable for equal instants). They are deliberately not the public Kafka contracts:
adapters translate contract events into these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import IntEnum


class Priority(IntEnum):
    """The contract's priorities; P4 has no clocks."""

    P1 = 1
    P2 = 2
    P3 = 3
    P4 = 4

    @classmethod
    def parse(cls, value: object) -> Priority:
        """`2`, `"2"`, `"P2"` or `"p2"` → `Priority.P2`."""
        text = str(value).strip().upper().removeprefix("P")
        try:
            return cls(int(text))
        except ValueError:
            raise ValueError(f"priority must be 1..4 or P1..P4, not {value!r}") from None


@dataclass(frozen=True, slots=True)
class SlaEvent:
    at: dt.datetime

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"{type(self).__name__}.at must be timezone-aware: {self.at!r}")


@dataclass(frozen=True, slots=True)
class TicketOpened(SlaEvent):
    """The customer dispatched the ticket: response and resolution clocks start."""

    priority: Priority = Priority.P3

    def __post_init__(self) -> None:
        SlaEvent.__post_init__(self)
        object.__setattr__(self, "priority", Priority.parse(self.priority))


@dataclass(frozen=True, slots=True)
class PriorityChanged(SlaEvent):
    """Targets are recomputed from each clock's original start."""

    priority: Priority = Priority.P3

    def __post_init__(self) -> None:
        SlaEvent.__post_init__(self)
        object.__setattr__(self, "priority", Priority.parse(self.priority))


@dataclass(frozen=True, slots=True)
class WaitingOnCustomer(SlaEvent):
    """Pauses the resolution clock (setting `HOTLINE_SLA_PAUSE_ON_WAITING`)."""


@dataclass(frozen=True, slots=True)
class CustomerResponded(SlaEvent):
    """Ends a waiting-on-customer pause."""


Resumed = CustomerResponded


@dataclass(frozen=True, slots=True)
class FirstResponse(SlaEvent):
    """Stops the response clock (the first one counts)."""


@dataclass(frozen=True, slots=True)
class WorkaroundProvided(SlaEvent):
    """Stops the resolution clock."""


@dataclass(frozen=True, slots=True)
class Resolved(SlaEvent):
    """A permanent solution: stops the resolution clock and starts the RFO clock."""


@dataclass(frozen=True, slots=True)
class Reopened(SlaEvent):
    """The resolution clock runs again; the time it stood stopped does not count."""


@dataclass(frozen=True, slots=True)
class RfoDelivered(SlaEvent):
    """The Reason for Outage was delivered: stops the RFO clock."""


@dataclass(frozen=True, slots=True)
class AgreementRecorded(SlaEvent):
    """Priority 4: the date agreed with the customer (`target`) is the resolution deadline, from
    `at` on; a later agreement supersedes it. Other priorities ignore it."""

    target: dt.datetime | None = None

    def __post_init__(self) -> None:
        SlaEvent.__post_init__(self)
        if self.target is None or self.target.utcoffset() is None:
            raise ValueError(f"AgreementRecorded.target must be timezone-aware: {self.target!r}")
