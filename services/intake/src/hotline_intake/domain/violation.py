"""`TicketRuleViolation`: a command that does not fit a ticket's state or time line, with a short
reason code (the HTTP API's 409 `reason`) and a sentence saying why."""

from __future__ import annotations


class TicketRuleViolation(Exception):
    """A command that does not fit the ticket's state; `reason` is a short code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
