"""How a service's CLI command groups call its HTTP API: one client for every service.

A service's URL comes from --url, else `HOTLINE_<SERVICE>_URL` (exported, or from the stack file
`hotline run` writes), else the port in `HOTLINE_<SERVICE>_HTTP_PORT`, else its default port on
127.0.0.1. The token is `stack.auth_headers()`'s. A refusal prints one line with its reason and
exits 1 (FastAPI's list of validation errors is made one reason too); an unreachable service
prints one line and exits 2. Never a traceback.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import httpx
import typer

from hotline.cli import stack

AsJson = Annotated[bool, typer.Option("--json", help="machine-readable output")]


class ServiceApi:
    def __init__(self, service: str, default_port: int) -> None:
        self.service = service
        self.prefix = "HOTLINE_" + service.upper().replace("-", "_")
        self.default = f"http://127.0.0.1:{default_port}"
        self.url_option = Annotated[str | None, typer.Option(
            "--url", help=f"{service}'s HTTP address [env {self.prefix}_URL; default {self.default}]")]

    def base_url(self, url: str | None) -> str:
        port = os.environ.get(f"{self.prefix}_HTTP_PORT")
        return (url or os.environ.get(f"{self.prefix}_URL")
                or (f"http://127.0.0.1:{port}" if port else self.default))

    def call(self, method: str, url: str | None, path: str, body: dict[str, Any] | None = None,
             params: dict[str, Any] | None = None, *, text: bool = False,
             headers: dict[str, str] | None = None, timeout: float = 30) -> Any:
        """The answer's JSON (its text with `text`); exits with one line if refused or
        unreachable. `headers` are sent besides the token's; `timeout`: seconds to wait for it."""
        base = self.base_url(url)
        try:
            response = httpx.request(method, base.rstrip("/") + path, json=body, params=params,
                                     timeout=timeout, headers={**stack.auth_headers(), **(headers or {})})
        except httpx.TransportError as exc:
            stack.unreachable(self.service, base, f"{self.prefix}_URL", exc)
        if response.status_code >= 400:
            stack.refused(self.service, response.status_code, one_line(_payload(response)))
        return response.text if text else _payload(response)


def _payload(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def one_line(payload: Any) -> Any:
    """FastAPI's list of validation errors as one reason, like every other refusal."""
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if isinstance(detail, list):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', [])[1:])}: {e.get('msg')}"
                             for e in detail if isinstance(e, dict))
        return {"detail": {"reason": "invalid_request", "detail": problems}}
    return payload
