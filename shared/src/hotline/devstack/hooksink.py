"""Local webhook receiver: an HTTP server saving every POST it gets as a JSON file.

Run as its own process, like the mail sink, so the stack can start and stop it:

    python -m hotline.devstack.hooksink --host 127.0.0.1 --port 8099 --dir var/hooks

Each request becomes `<arrival ns, 20 digits>-<sequence, 6 digits>.json` holding the path, the
headers and the raw body (as text), so a test can check signatures against exactly the bytes
that were sent. It answers 204. While a file named `refuse` exists in the directory it answers
503 instead (and saves nothing), for retry tests.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import uvicorn

if TYPE_CHECKING:
    from hotline.devstack.supervisor import ProcessSpec


class HookSink:
    """The ASGI app: records each POST in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._seq = itertools.count(1)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        status = 200 if scope["method"] == "GET" else 204
        if scope["method"] == "POST":
            if (self.directory / "refuse").exists():
                status = 503
            else:
                self._save(scope, body)
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def _save(self, scope, body: bytes) -> None:
        record = {"path": scope["path"],
                  "headers": {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]},
                  "body": body.decode("utf-8", "replace")}
        name = f"{time.time_ns():020d}-{next(self._seq):06d}"
        tmp = self.directory / f".{name}.tmp"
        tmp.write_text(json.dumps(record))
        tmp.rename(self.directory / f"{name}.json")


def received(directory: Path | str) -> list[dict]:
    """Every request saved so far, in arrival order."""
    d = Path(directory)
    return [json.loads(p.read_text()) for p in sorted(d.glob("*.json"))] if d.exists() else []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--dir", default="var/hooks")
    args = parser.parse_args(argv)
    config = uvicorn.Config(HookSink(Path(args.dir)), host=args.host, port=args.port,
                            log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run()
    except OSError as exc:
        print(f"webhook sink cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        sys.exit(2)


def hook_spec(port: int, directory: Path, name: str = "hooksink") -> ProcessSpec:
    """The supervised receiver process, ready when it answers GET /."""
    from hotline.devstack.supervisor import ProcessSpec

    async def ready() -> bool:
        try:
            async with httpx.AsyncClient(timeout=2.0, trust_env=False) as client:
                return (await client.get(f"http://127.0.0.1:{port}/")).status_code == 200
        except httpx.TransportError:
            return False

    return ProcessSpec(
        name=name,
        argv=[sys.executable, "-m", "hotline.devstack.hooksink", "--host", "127.0.0.1",
              "--port", str(port), "--dir", str(Path(directory).resolve())],
        env=dict(os.environ), ready=ready, ready_timeout=30, stop_timeout=5,
        ports=[(port, "webhook sink HTTP", "HOTLINE_NOTIFIER_WEBHOOK_URL")],
    )


if __name__ == "__main__":
    main()
