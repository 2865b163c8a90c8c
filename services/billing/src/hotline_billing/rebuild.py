"""`hotline rebuild billing`: billing keeps no read model beside its events (invoices, open quotes
and each ticket's account are aggregates), so there is nothing to rebuild."""

from __future__ import annotations

FOLLOWERS: tuple[str, ...] = ()  # nothing is rewritten: no lock to take


def rebuild() -> dict[str, int]:
    return {}
