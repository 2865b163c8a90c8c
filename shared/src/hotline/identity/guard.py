"""The HTTP guard: every request but the public ones carries a bearer token whose role grants
what the route needs.

An ASGI middleware, so it covers every route of the app, including ones added later: it
authenticates (401, reason `missing_token` or `invalid_token`), finds the route the request
will reach and its permission (`roles.requires`, else the default by method), and refuses a
role without it (403, reason `forbidden`). The caller is left in `request.state.principal`.
Public: the health probes and the OpenAPI document. The web console's pages (`/portal`,
`/console`, `/static`) sign people in with sessions of their own: the guard lets them through,
with the caller of a valid bearer token, if one is sent, left in `request.state.principal`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, Request
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

from hotline.identity.authenticator import Authenticator
from hotline.identity.roles import PERMISSION_ATTRIBUTE, Principal, allows, default_permission

PUBLIC = frozenset({"/healthz", "/readyz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
SESSION_PAGES = ("/portal", "/console", "/static/")
"""Path prefixes whose pages check their own sessions (cookie + CSRF), not only bearer tokens."""


class TokenGuard:
    def __init__(self, app: ASGIApp, *, authenticator: Authenticator, routes_of: FastAPI) -> None:
        self.app = app
        self.authenticator = authenticator
        self.routes_of = routes_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PUBLIC:
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        if scope["path"].startswith(SESSION_PAGES):
            found = self.authenticator.verify(token) if token else None
            if found is not None:
                scope.setdefault("state", {})["principal"] = found
            await self.app(scope, receive, send)
            return
        if token is None:
            await _refuse(send, 401, "missing_token", "send 'Authorization: Bearer <token>' "
                          "(create one with `hotline tokens create`)")
            return
        principal = self.authenticator.verify(token)
        if principal is None:
            await _refuse(send, 401, "invalid_token", "the token is unknown or revoked")
            return
        permission = self._permission(scope)
        if permission is not None and not allows(principal.role, permission):
            await _refuse(send, 403, "forbidden",
                          f"role {principal.role.value} may not do this (needs {permission})")
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)

    def _permission(self, scope: Scope) -> str | None:
        """What the matching route needs; None when no route matches (the app answers 404/405)."""
        for route in _routes(self.routes_of):
            match, _ = route.matches(scope)
            if match is Match.FULL:
                endpoint = getattr(route, "endpoint", None)
                return getattr(endpoint, PERMISSION_ATTRIBUTE, None) or default_permission(scope["method"])
        return None


def _routes(app: FastAPI) -> Iterator[Any]:
    """Every route of the app in matching order, those of included routers too (FastAPI keeps
    an included router as one entry that yields its routes' effective contexts)."""
    for route in app.router.routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from nested()
        else:
            yield route


def principal(request: Request) -> Principal | None:
    """The caller, as the guard found it (None when the app runs without the guard: unit tests)."""
    return getattr(request.state, "principal", None)


def actor(request: Request) -> dict[str, str] | None:
    found = principal(request)
    return found.actor() if found is not None else None


def install(app: FastAPI, authenticator: Authenticator) -> None:
    app.add_middleware(TokenGuard, authenticator=authenticator, routes_of=app)
    app.state.authenticator = authenticator  # the web console signs agents in with a token
    _document(app)


REFUSAL = {"type": "object", "properties": {"detail": {"type": "object", "properties": {
    "reason": {"type": "string"}, "detail": {"type": "string"}}}}}


def _document(app: FastAPI) -> None:
    """Say in the OpenAPI document that every operation but the public ones takes a bearer
    token and may answer 401 or 403 with a reason."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = plain()
        schema.setdefault("components", {}).setdefault("securitySchemes", {})["bearer"] = {
            "type": "http", "scheme": "bearer", "description": "A token from `hotline tokens create`."}
        for path, operations in schema.get("paths", {}).items():
            if path in PUBLIC:
                continue
            for operation in operations.values():
                operation["security"] = [{"bearer": []}]
                responses = operation.setdefault("responses", {})
                for status, text in (("401", "No valid token"), ("403", "The token's role may not do this")):
                    responses.setdefault(status, {"description": text, "content": {
                        "application/json": {"schema": REFUSAL}}})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


async def _refuse(send: Send, status: int, reason: str, detail: str) -> None:
    body = json.dumps({"detail": {"reason": reason, "detail": detail}}).encode()
    headers: list[tuple[bytes, Any]] = [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
