"""A TCP proxy the fault tests own, to cut every client off from a server and let them back.

`TcpProxy(target_port)` listens on 127.0.0.1 (a free port, `port`) and forwards each connection
to 127.0.0.1:`target_port`. It runs its own event loop in a daemon thread, so the test's loop
(busy driving the surge) never delays the traffic it carries. `cut()` closes every open
connection and refuses new ones (accepted and closed at once: the client sees a reset), until
`restore()`. Used in front of the broker, which advertises the proxy's address, so that no
client reaches the broker except through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from hotline.devstack.ports import HOST, free_port

CHUNK = 64 * 1024


class TcpProxy:
    def __init__(self, target_port: int, port: int | None = None) -> None:
        self.target_port = target_port
        self.port = port or free_port()
        self.connections = 0  # accepted and forwarded, in all
        self._cut = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,), name="tcp-proxy",
                                        daemon=True)
        self._thread.start()
        started.wait(10)

    # -- control (from any thread) ---------------------------------------------------------
    def cut(self) -> None:
        """Close every connection through the proxy and refuse new ones until `restore`."""
        self._cut = True
        asyncio.run_coroutine_threadsafe(self._close_all(), self._loop).result(10)

    def restore(self) -> None:
        self._cut = False

    def close(self) -> None:
        async def stop() -> None:
            if self._server is not None:
                self._server.close()
            await self._close_all()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    # -- the proxy's own loop --------------------------------------------------------------
    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._accept, HOST, self.port, backlog=512))
        started.set()
        self._loop.run_forever()

    async def _close_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self._cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self.connections += 1
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                self._writers.discard(w)
                w.transport.abort()

    @staticmethod
    async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(CHUNK):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.transport.abort()  # one side gone: the whole connection is
