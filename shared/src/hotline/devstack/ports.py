"""Ports: pick free ones at run time (bind to port 0) and check fixed ones before use."""

from __future__ import annotations

import socket

HOST = "127.0.0.1"


class PortInUseError(RuntimeError):
    """A fixed port the stack wants is already taken; the message names the setting to change."""

    def __init__(self, port: int, what: str, setting: str, host: str = HOST) -> None:
        self.port = port
        self.what = what
        self.setting = setting
        super().__init__(
            f"{host}:{port} ({what}) is already in use. Stop whatever listens there "
            f"or change the port with {setting}."
        )


def free_port(host: str = HOST) -> int:
    """An unused TCP port on `host` (the kernel's choice; free when this returns)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def free_ports(n: int, host: str = HOST) -> list[int]:
    """`n` distinct unused ports (all sockets held open until all are chosen)."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((host, 0))
            socks.append(s)
        return [int(s.getsockname()[1]) for s in socks]
    finally:
        for s in socks:
            s.close()


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something accepts connections on host:port, or the port cannot be bound."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        pass
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def check_port_free(port: int, what: str, setting: str, host: str = HOST) -> None:
    """Raise `PortInUseError` naming `setting` when host:port is taken."""
    if port_in_use(port, host):
        raise PortInUseError(port, what, setting, host)


async def tcp_accepts(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when a TCP connection to host:port succeeds."""
    import asyncio

    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (TimeoutError, OSError):
        return False
    writer.close()
    try:
        await writer.wait_closed()
    except OSError:
        pass
    return True
