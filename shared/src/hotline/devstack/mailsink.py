"""Local outbound mail sink: an aiosmtpd SMTP server saving every message as a `.eml` file.

Run as its own process so the stack can start and stop it like the others:

    python -m hotline.devstack.mailsink --host 127.0.0.1 --port 1025 --dir var/mail

File names are `<arrival ns, 20 digits>-<sequence, 6 digits>-<pid>.eml`: unique, and sorting
them sorts by arrival. Each file is written to a temporary name and renamed, so a reader never
sees half a message. The envelope is prepended as `X-Envelope-From:` / `X-Envelope-To:`
headers (the latter lists every RCPT TO, so Bcc recipients show up there).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import sys
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hotline.devstack.supervisor import ProcessSpec


class EmlHandler:
    """aiosmtpd handler writing each accepted message to `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._seq = itertools.count(1)

    async def handle_DATA(self, server, session, envelope) -> str:
        content = envelope.original_content or envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        head = (
            f"X-Envelope-From: {envelope.mail_from}\r\n"
            f"X-Envelope-To: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode("utf-8", "replace")
        name = f"{time.time_ns():020d}-{next(self._seq):06d}-{os.getpid()}"
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(head + content)
        tmp.rename(self.directory / f"{name}.eml")
        return "250 Message accepted for delivery"


def list_messages(directory: Path | str) -> list[Path]:
    """The sink's `.eml` files in arrival order."""
    d = Path(directory)
    return sorted(d.glob("*.eml")) if d.exists() else []


def parse_message(path: Path | str) -> EmailMessage:
    with open(path, "rb") as f:
        msg = BytesParser(policy=policy.default).parse(f)
    msg.path = Path(path)  # type: ignore[attr-defined]
    return msg  # type: ignore[return-value]


async def serve(host: str, port: int, directory: Path) -> None:
    from aiosmtpd.smtp import SMTP

    loop = asyncio.get_running_loop()
    handler = EmlHandler(directory)
    server = await loop.create_server(
        lambda: SMTP(handler, hostname="hotline-mailsink", data_size_limit=50 * 1024 * 1024),
        host=host,
        port=port,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"mail sink listening on {host}:{port}, saving to {directory}", flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", default="var/mail")
    args = parser.parse_args(argv)
    try:
        asyncio.run(serve(args.host, args.port, Path(args.dir)))
    except OSError as exc:
        print(f"mail sink cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        sys.exit(2)


def sink_spec(port: int, directory: Path, name: str = "mailsink") -> ProcessSpec:
    """The supervised sink process, ready when its SMTP port answers with a 220 banner."""
    from hotline.devstack.supervisor import ProcessSpec

    return ProcessSpec(
        name=name,
        argv=[
            sys.executable,
            "-m",
            "hotline.devstack.mailsink",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(Path(directory).resolve()),
        ],
        env=dict(os.environ),
        ready=lambda: smtp_ready("127.0.0.1", port),
        ready_timeout=30,
        stop_timeout=5,
        ports=[(port, "mail sink SMTP", "HOTLINE_DEVSTACK_MAIL_PORT (or set HOTLINE_SMTP_URL)")],
    )


async def smtp_ready(host: str, port: int) -> bool:
    """True when host:port accepts a connection and greets with 220."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 2)
    except (TimeoutError, OSError):
        return False
    try:
        banner = await asyncio.wait_for(reader.readline(), 2)
        return banner.startswith(b"220")
    except (TimeoutError, OSError):
        return False
    finally:
        writer.close()


if __name__ == "__main__":
    main()
