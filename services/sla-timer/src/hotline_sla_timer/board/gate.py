"""In front of the token guard: the board's page, and the one route that takes a query token.

`BoardGate` is installed after `hotline.identity.guard`, so it runs before it:

- `GET /board` is answered here with the page itself. The page is static and public: it holds
  no data, only the code that asks for a token (from `#token=...` or a login form) and then
  calls the API with it.
- `GET /board/events?token=...`: a browser's `EventSource` cannot send an `Authorization`
  header, so on this route only the gate moves the `token` query parameter into one (unless
  the request has one) and removes it from the query string. The guard then checks it exactly
  as any bearer token: same authenticator, same permission (`sla:read`), same 401/403.

Why nowhere else: a token in a URL ends up where headers do not (proxy and access logs,
browser history, monitoring), so it is accepted only where there is no other way, on a
read-only stream. Every other route, `/board/data` included, still needs the header. The page
keeps the token out of its own URL too: it takes it from the fragment (never sent to a
server), keeps it in sessionStorage and removes the fragment.
"""

from __future__ import annotations

import hashlib
from base64 import b64encode
from urllib.parse import parse_qsl, urlencode

from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from hotline_sla_timer.board.page import PAGE, SCRIPT, STYLE

PAGE_PATH = "/board"
EVENTS_PATH = "/board/events"


def _sha256(text: str) -> str:
    return "'sha256-" + b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    # Only this page's own inline script and style run; it talks to this origin only.
    "Content-Security-Policy": (f"default-src 'none'; script-src {_sha256(SCRIPT)}; "
                                f"style-src {_sha256(STYLE)}; connect-src 'self'; "
                                "img-src 'self' data:; base-uri 'none'; form-action 'none'; "
                                "frame-ancestors 'none'"),
}


class BoardGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["path"] == PAGE_PATH
                and scope["method"] in ("GET", "HEAD")):
            await HTMLResponse(PAGE, headers=PAGE_HEADERS)(scope, receive, send)
            return
        if scope["type"] == "http" and scope["path"] == EVENTS_PATH:
            scope = with_query_token(scope)
        await self.app(scope, receive, send)


def with_query_token(scope: Scope) -> Scope:
    """The request with its `token` query parameter moved into `Authorization: Bearer`."""
    params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    tokens = [value for name, value in params if name == "token"]
    if not tokens:
        return scope
    headers = list(scope.get("headers", ()))
    if tokens[0] and not any(name == b"authorization" for name, _ in headers):
        headers.append((b"authorization", f"Bearer {tokens[0]}".encode("latin-1")))
    rest = urlencode([(name, value) for name, value in params if name != "token"])
    return {**scope, "headers": headers, "query_string": rest.encode("latin-1")}
