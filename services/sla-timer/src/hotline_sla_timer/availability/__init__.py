"""Availability SLAs in sla-timer: outage records (`outages`), monthly figures, month closing
and the rebuild of the read model (`reports`), the automatic close (`closing`), the HTTP API
(`http`) and the `hotline outage` / `hotline report` commands (`cli`)."""

from __future__ import annotations


class Refused(Exception):
    """A command refused, with the HTTP status, a reason and a sentence for the caller."""

    def __init__(self, status: int, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.reason, self.detail = status, reason, detail
