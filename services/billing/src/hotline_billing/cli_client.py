"""How `hotline billing` calls billing's HTTP API.

The billing URL comes from --url, else HOTLINE_BILLING_URL (exported, or from the stack file
`hotline run` writes), else the port in HOTLINE_BILLING_HTTP_PORT, else http://127.0.0.1:8083.
A refusal prints one line with its reason and exits 1; an unreachable billing exits 2.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import httpx
import typer

from hotline.cli import stack

Url = Annotated[str | None, typer.Option(
    "--url", help="billing's HTTP address [env HOTLINE_BILLING_URL; default http://127.0.0.1:8083]")]
AsJson = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def base_url(url: str | None) -> str:
    port = os.environ.get("HOTLINE_BILLING_HTTP_PORT")
    return (url or os.environ.get("HOTLINE_BILLING_URL")
            or (f"http://127.0.0.1:{port}" if port else "http://127.0.0.1:8083"))


def call(method: str, url: str | None, path: str, body: dict[str, Any] | None = None,
         params: dict[str, Any] | None = None, *, text: bool = False) -> Any:
    """The answer's JSON (or its text with `text`)."""
    base = base_url(url)
    try:
        response = httpx.request(method, base.rstrip("/") + path, json=body, params=params,
                                 timeout=30, headers=stack.auth_headers())
    except httpx.TransportError as exc:
        stack.unreachable("billing", base, "HOTLINE_BILLING_URL", exc)
    if response.status_code >= 400:
        try:
            payload = response.json()
        except ValueError:
            payload = response.text
        stack.refused("billing", response.status_code, _one_line(payload))
    return response.text if text else response.json()


def _one_line(payload: Any) -> Any:
    """FastAPI's list of validation errors as one reason, like every other refusal."""
    detail = payload.get("detail") if isinstance(payload, dict) else None
    if isinstance(detail, list):
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', [])[1:])}: {e.get('msg')}"
                             for e in detail if isinstance(e, dict))
        return {"detail": {"reason": "invalid_request", "detail": problems}}
    return payload
