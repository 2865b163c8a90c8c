"""How every HTTP API says no, in one shape: `{"detail": {"reason": <code>, "detail": <sentence>}}`.

`refusal(status, reason, detail)` builds the exception; `Problem` documents the answer and
`Invalid` a 422, which is either ours (a reason) or FastAPI's list of request validation errors.
The token guard's 401 and 403 have the same shape, and so do the framework's own refusals (a
body that is not JSON: `400 malformed_body`; an unknown path: `404 not_found`; ...), which
`install(app)` reshapes. When the database cannot be reached, any request that needed it answers
`503 database_unavailable` with `Retry-After` (back-pressure: nothing was committed, so the
client sends it again), never a 500.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import psycopg
from eventsourcing.persistence import OperationalError
from fastapi import FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, Response
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException


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



FRAMEWORK_REASONS = {400: "malformed_body", 404: "not_found", 405: "method_not_allowed",
                     413: "too_large", 415: "unsupported_media_type"}


UNAVAILABLE = (OperationalError, psycopg.OperationalError, PoolTimeout, ConnectionError,
               asyncpg.exceptions.CannotConnectNowError, asyncpg.exceptions.ConnectionDoesNotExistError,
               asyncpg.exceptions.TooManyConnectionsError)
"""Failures that mean the database is away, not that the request is wrong."""


def install(app: FastAPI) -> None:
    """Answer the framework's own refusals (detail a plain sentence) in the one shape, and a
    database that is away with 503."""

    async def unavailable(request: Request, exc: Exception) -> Response:
        return JSONResponse({"detail": {"reason": "database_unavailable", "detail": (
            "the database cannot be reached just now; nothing was recorded, send it again "
            "shortly")}}, status_code=503, headers={"Retry-After": "5"})

    for failure in UNAVAILABLE:
        app.add_exception_handler(failure, unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def one_shape(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc.detail, str):
            reason = FRAMEWORK_REASONS.get(exc.status_code, f"http_{exc.status_code}")
            return JSONResponse({"detail": {"reason": reason, "detail": exc.detail}},
                                status_code=exc.status_code, headers=exc.headers)
        return await http_exception_handler(request, exc)
