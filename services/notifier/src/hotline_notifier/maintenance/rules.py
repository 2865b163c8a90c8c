"""The rules a maintenance window's commands check, and how a refusal says why.

`MaintenanceRefused`: the request itself breaks a rule (times, notice, services, customers, the
length of a reason or note); `MaintenanceConflict`: it does not fit the window's state. Each
carries a short reason code and a sentence; instants in it are in the support calendar's zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hotline.calendar import default_calendar

SERVICES = ("core", "supporting")
KINDS = ("maintenance", "change")
REASON_MAX = 500
NOTE_MAX = 500


class MaintenanceRuleViolation(Exception):
    """A command on a maintenance window that breaks a rule; `reason` is a short code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class MaintenanceRefused(MaintenanceRuleViolation):
    """The request itself breaks a rule (times, notice, services, customers, reason)."""


class MaintenanceConflict(MaintenanceRuleViolation):
    """The request does not fit the window's state (started, completed, cancelled)."""


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise MaintenanceRefused("bad_kind", f"the kind must be {' or '.join(KINDS)}, not {kind!r}")


def end_of(kind: str, starts_at: datetime, ends_at: datetime | None) -> datetime:
    """The end as given; a change without one ends when it takes effect. Maintenance needs one."""
    if ends_at is not None:
        return ends_at
    if kind == "change":
        return starts_at
    raise MaintenanceRefused("no_end", "maintenance needs an end")


def check_times(starts_at: datetime, ends_at: datetime, now: datetime,
                kind: str = "maintenance") -> None:
    """The start is ahead; the end after it (a change may end when it takes effect)."""
    if ends_at < starts_at or (ends_at == starts_at and kind != "change"):
        raise MaintenanceRefused("end_before_start", f"the end {at(ends_at)} must come after "
                                 f"the start {at(starts_at)}")
    if starts_at < now:
        raise MaintenanceRefused("start_in_past", f"the start {at(starts_at)} has passed "
                                 f"(now {at(now)})")


def check_notice(starts_at: datetime, now: datetime, lead_time: timedelta,
                 emergency: bool, kind: str = "maintenance") -> None:
    if not emergency and starts_at - now < lead_time:
        hours = (starts_at - now) / timedelta(hours=1)
        raise MaintenanceRefused(
            "insufficient_notice", f"planned {kind} needs at least "
            f"{lead_time / timedelta(hours=1):g} hours' notice; this one "
            f"{'takes effect' if kind == 'change' else 'starts'} in {hours:.1f} "
            f"hours ({at(starts_at)}). "
            "Start it later, or schedule it as "
            + ("an emergency change" if kind == "change" else "emergency maintenance"))


def check_services(services: list[str]) -> None:
    unknown = sorted(set(services) - set(SERVICES))
    if not services or unknown:
        raise MaintenanceRefused("bad_services", f"services must be one or both of "
                                 f"{', '.join(SERVICES)}; not {', '.join(unknown) or 'none'}")


def one_line(text: str, limit: int, what: str) -> str:
    """`text` on one line (whitespace runs as one space), 1 to `limit` characters."""
    text = " ".join(text.split())
    if not 0 < len(text) <= limit:
        raise MaintenanceRefused(f"bad_{what}", f"the {what} must be 1–{limit} characters, "
                                 f"not {len(text)}")
    return text


def note(text: str | None) -> str | None:
    """An optional note to the customers, on one line, at most `NOTE_MAX` characters."""
    return one_line(text, NOTE_MAX, "note") if text and text.strip() else None


def at(instant: datetime) -> str:
    """An instant as refusals show it: ISO 8601 in the support calendar's zone."""
    return instant.astimezone(default_calendar().zone).isoformat()
