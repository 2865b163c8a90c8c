"""The rules every work-log entry obeys, wherever it is logged (an outage review, or an accepted
off-hours slot): it ends after it starts, spans at most `MAX_ENTRY`, is not in the future, is
not logged twice, and does not overlap another entry of the same engineer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from hotline_intake.domain.violation import TicketRuleViolation

MAX_ENTRY = timedelta(hours=24)
"""The longest single work-log entry (longer work is logged as several entries)."""

NOTE_MAX = 2000


def check_entry(logged: Iterable[dict[str, Any]], *, number: str, entry_id: UUID, engineer: str,
                start: datetime, end: datetime, logged_at: datetime) -> None:
    """Raise `TicketRuleViolation` unless the entry fits beside those already `logged`."""
    if end <= start:
        raise TicketRuleViolation("bad_interval", "a work-log entry must end after it starts")
    if end - start > MAX_ENTRY:
        raise TicketRuleViolation(
            "entry_too_long", f"a work-log entry may span at most {MAX_ENTRY.total_seconds() / 3600:g} h; "
            "log longer work as several entries")
    if end > logged_at:
        raise TicketRuleViolation("in_future", f"{end.isoformat()} is later than now ({logged_at.isoformat()})")
    for other in logged:
        if other["entry_id"] == entry_id:
            raise TicketRuleViolation("duplicate_entry", f"work-log entry {entry_id} is already logged")
        if other["engineer"].lower() == engineer.lower() and start < other["end"] and other["start"] < end:
            raise TicketRuleViolation(
                "overlapping_work", f"{engineer} already logged {other['start'].isoformat()} – "
                f"{other['end'].isoformat()} on {number}; entries of one engineer may not overlap")
