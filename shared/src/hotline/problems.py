"""How every HTTP API says no, in one shape: `{"detail": {"reason": <code>, "detail": <sentence>}}`.

`refusal(status, reason, detail)` builds the exception; `Problem` documents the answer and
`Invalid` a 422, which is either ours (a reason) or FastAPI's list of request validation errors.
The token guard's 401 and 403 have the same shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel, Field


class Reason(BaseModel):
    reason: str = Field(description="A short code, e.g. not_found, unknown_sender.")
    detail: str = Field(description="What was wrong, in a sentence.")


class Problem(BaseModel):
    """A refusal with its reason."""

    detail: Reason


class Invalid(BaseModel):
    """422: a request that is well-formed but refused (a reason), or one that does not match
    the documented request schema (FastAPI's list of validation errors)."""

    detail: Reason | list[dict[str, Any]]


def refusal(status: int, reason: str, detail: str) -> HTTPException:
    return HTTPException(status, detail={"reason": reason, "detail": detail})

