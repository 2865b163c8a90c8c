"""What each upstream event owes: one module per concern, each a function
`owed(app, event, trace_context) -> list[Aggregate]` returning the aggregates to save with the
event's tracking row (new `Notification`s, and any bookkeeping aggregate it changed).

`OWING` is the list `NotifierApplication.take` asks, in order. Add a concern by adding a module
and a line here; nothing else needs to change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from hotline_notifier.owing import (
    availability,
    conversation,
    escalations,
    milestones,
    quotes,
    replies,
    rfo,
    scheduling,
)

if TYPE_CHECKING:
    from eventsourcing.domain import Aggregate

    from hotline.contracts.envelope import CloudEvent

Owed = Callable[[Any, "CloudEvent", dict[str, str]], list["Aggregate"]]

OWING: list[Owed] = [replies.owed, escalations.owed, rfo.owed, conversation.owed, milestones.owed,
                     quotes.owed, availability.owed, scheduling.owed]
