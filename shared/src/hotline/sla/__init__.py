"""The SLA policy: response, resolution and RFO clocks of a ticket, from its events.

Pure and I/O-free. Feed `SlaPolicy.evaluate(events, now=None)` the ticket's events (the small
frozen dataclasses below) and get a `TicketSla`: every clock's status, start, due instant,
warning instants, pauses, plus the policy and calendar versions used; `TicketSla.timers()`
lists the instants a timer service must act on. `default_policy()` reads `HOTLINE_SLA_*`.
"""

from __future__ import annotations

from functools import lru_cache

from hotline.sla.budgets import CLOCKS, Basis, Budget, ClockName
from hotline.sla.events import (
    AgreementRecorded,
    CustomerResponded,
    FirstResponse,
    Priority,
    PriorityChanged,
    Reopened,
    Resolved,
    Resumed,
    RfoDelivered,
    SlaEvent,
    TicketOpened,
    WaitingOnCustomer,
    WorkaroundProvided,
)
from hotline.sla.policy import SlaInputError, SlaPolicy
from hotline.sla.result import (
    ClockState,
    ClockStatus,
    DeadlineApproaching,
    PausedInterval,
    TicketSla,
    Timer,
)
from hotline.sla.settings import SlaSettings


@lru_cache(maxsize=1)
def default_policy() -> SlaPolicy:
    """The policy of the current `HOTLINE_SLA_*` settings on `default_calendar()`."""
    return SlaPolicy.from_settings()


__all__ = [
    "AgreementRecorded",
    "CLOCKS",
    "Basis",
    "Budget",
    "ClockName",
    "ClockState",
    "ClockStatus",
    "CustomerResponded",
    "DeadlineApproaching",
    "FirstResponse",
    "PausedInterval",
    "Priority",
    "PriorityChanged",
    "Reopened",
    "Resolved",
    "Resumed",
    "RfoDelivered",
    "SlaEvent",
    "SlaInputError",
    "SlaPolicy",
    "SlaSettings",
    "TicketOpened",
    "TicketSla",
    "Timer",
    "WaitingOnCustomer",
    "WorkaroundProvided",
    "default_policy",
]
