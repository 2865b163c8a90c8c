"""Why billing refuses a command or a query: each refusal carries its HTTP status and reason
code, which the HTTP layer answers in the one refusal shape (`hotline.problems`)."""

from __future__ import annotations


class BillingRefusal(Exception):
    status = 409

    def __init__(self, reason: str, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        if status is not None:
            self.status = status


class NotFound(BillingRefusal):
    status = 404
