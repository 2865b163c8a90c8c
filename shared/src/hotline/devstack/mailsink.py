"""Local outbound mail sink: an aiosmtpd SMTP server saving every message as a `.eml` file.

Run as its own process so the stack can start and stop it like the others:

    python -m hotline.devstack.mailsink --host 127.0.0.1 --port 1025 --dir var/mail

File names are `<arrival ns, 20 digits>-<sequence, 6 digits>-<pid>.eml`: unique, and sorting
them sorts by arrival. Each file is written to a temporary name and renamed, so a reader never
sees half a message. The envelope is prepended as `X-Envelope-From:` / `X-Envelope-To:`
headers (the latter lists every RCPT TO, so Bcc recipients show up there).

Refusals, for retry tests (like the webhook sink's `refuse` file): while a file `refuse.json`
exists in the directory, the sink refuses mail as it says. It is read on every MAIL FROM and
RCPT TO, so writing or removing it takes effect at the next command, even on a connection
already open; write it atomically (temporary file + rename, as `write_refusals` does). Its
shape:

    {"all": 421}                                   every MAIL FROM is refused with that code
    {"recipients": {"slow@acme.example": 450}}     RCPT TO that address (any case) is refused

A code comes with a fitting text (`421 4.3.2 Service not available, closing channel`,
`450 4.2.0 Greylisted, try again later`, `550 5.1.1 Mailbox unavailable`, ...); a string instead
of a code is sent as the whole reply line (`"451 4.7.1 Try again in a minute"`). After a 421 the
sink closes the connection, as the code says. Both keys may be given; `all` comes first. With no
file (or a file that is not such JSON: one warning on stderr) the sink takes every message.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import signal
import sys
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotline.devstack.supervisor import ProcessSpec


REFUSALS_FILE = "refuse.json"
SERVICE_NOT_AVAILABLE = 421
REPLY_TEXTS = {
    421: "4.3.2 Service not available, closing channel",
    450: "4.2.0 Greylisted, try again later",
    451: "4.3.0 Local error in processing, try again later",
    452: "4.3.1 Insufficient system storage, try again later",
    550: "5.1.1 Mailbox unavailable",
    551: "5.1.6 User not local",
    552: "5.2.2 Mailbox full",
    553: "5.1.3 Mailbox name not allowed",
    554: "5.7.1 Transaction failed",
}


def refusal_reply(rule: int | str) -> str:
    """The reply line for a refusal: a code with its fitting text, or a given line as it is."""
    if isinstance(rule, str):
        return " ".join(rule.split())
    code = int(rule)
    if code in REPLY_TEXTS:
        return f"{code} {REPLY_TEXTS[code]}"
    cls = code // 100
    return (f"{code} {cls}.0.0 Temporary failure, try again later" if cls == 4 else
            f"{code} {cls}.0.0 Refused")


def write_refusals(directory: Path | str, rule: dict[str, Any] | None) -> None:
    """Make the sink in `directory` refuse mail as `rule` says (see the module docstring), or
    take every message again (`None`). Atomic: a temporary file renamed over `refuse.json`."""
    d = Path(directory)
    target = d / REFUSALS_FILE
    if rule is None:
        target.unlink(missing_ok=True)
        return
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f".{REFUSALS_FILE}.{os.getpid()}.{time.time_ns()}.tmp"
    tmp.write_text(json.dumps(rule))
    tmp.rename(target)


class Refusals:
    """`refuse.json` in a directory, read afresh at every command (a test tool: one small read
    per MAIL or RCPT costs nothing, and no change can be missed)."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / REFUSALS_FILE
        self._all: int | str | None = None
        self._recipients: dict[str, int | str] = {}
        self._warned: str | None = None  # the broken content last warned about

    def _current(self) -> None:
        self._all, self._recipients = None, {}
        try:
            content = self.path.read_text()
        except FileNotFoundError:
            return
        except OSError as exc:
            print(f"mail sink: cannot read {self.path}: {exc}", file=sys.stderr, flush=True)
            return
        try:
            rule = json.loads(content)
            if not isinstance(rule, dict):
                raise ValueError("not a JSON object")
            every = rule.get("all")
            recipients = rule.get("recipients") or {}
            if not isinstance(recipients, dict):
                raise ValueError('"recipients" is not an object')
            for value in (every, *recipients.values()):
                if value is not None and (isinstance(value, bool)
                                          or not isinstance(value, int | str)):
                    raise ValueError(f"{value!r} is neither a reply code nor a reply line")
        except ValueError as exc:
            if content != self._warned:
                self._warned = content
                print(f"mail sink: ignoring {self.path}: {exc}", file=sys.stderr, flush=True)
            return
        self._all = every
        self._recipients = {str(k).lower(): v for k, v in recipients.items()}

    def for_mail(self) -> str | None:
        """The reply refusing MAIL FROM, or None to take it."""
        self._current()
        return None if self._all is None else refusal_reply(self._all)

    def for_recipient(self, address: str) -> str | None:
        """The reply refusing RCPT TO `address`, or None to take it."""
        self._current()
        rule = self._recipients.get(address.lower())
        return None if rule is None else refusal_reply(rule)


class EmlHandler:
    """aiosmtpd handler writing each accepted message to `directory` (refusing what
    `refuse.json` there says)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._seq = itertools.count(1)
        self.refusals = Refusals(self.directory)

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        reply = self.refusals.for_mail()
        if reply is None:
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"
        if reply.startswith(str(SERVICE_NOT_AVAILABLE)):
            _close_after_reply(server)
        return reply

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        reply = self.refusals.for_recipient(address)
        if reply is None:
            envelope.rcpt_tos.append(address)
            envelope.rcpt_options.extend(rcpt_options)
            return "250 OK"
        if reply.startswith(str(SERVICE_NOT_AVAILABLE)):
            _close_after_reply(server)
        return reply

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


def _close_after_reply(server) -> None:
    """Close the connection once the reply the hook returns is written (aiosmtpd writes it
    without yielding to the loop, and closing a transport flushes what it holds)."""
    transport = server.transport
    if transport is not None:
        asyncio.get_running_loop().call_soon(transport.close)


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
