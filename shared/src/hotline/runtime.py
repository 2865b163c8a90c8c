"""One service process: HTTP (uvicorn), the Kafka broker and supervised background tasks.

`ServiceRuntime.run()` starts everything in one event loop, serves `/healthz`
(the process is alive), `/readyz` (every dependency answers, every background
task runs and the Kafka consumers have their partitions) and `/metrics`, guards
every route but the probes and the OpenAPI document with a bearer token
(`hotline.identity`), restarts a background task that fails (logged, with
back-off) so nothing crashes the service, and stops gracefully on SIGTERM/SIGINT
(`hotline.shutdown`): it stops taking new work (commands answer 503 `shutting_down`, consumers
stop fetching), lets work in hand finish within `HOTLINE_SHUTDOWN_GRACE_SECONDS`, then stops its
loops and exits. The consumers start beside everything else, not before it: joining a consumer
group can take a rebalance or longer.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from faststream.kafka import KafkaBroker

from hotline import problems, shutdown
from hotline.identity import guard
from hotline.identity.authenticator import Authenticator
from hotline.settings import ServiceSettings
from hotline.telemetry import metrics_text

log = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]
TaskFactory = Callable[[], Awaitable[None]]


class ServiceRuntime:
    def __init__(self, settings: ServiceSettings, http: FastAPI, broker: KafkaBroker | None,
                 authenticator: Authenticator | None = None) -> None:
        self.settings = settings
        self.http = http
        self.broker = broker
        self._tasks: dict[str, TaskFactory] = {}
        self._running: dict[str, bool] = {}
        self._checks: dict[str, Check] = {}
        self._info: dict[str, Callable[[], object]] = {}
        self._on_start: list[TaskFactory] = []
        self._on_stop: list[TaskFactory] = []
        self._ready = False
        self._consuming = False
        self._mount_health()
        self.authenticator = authenticator or Authenticator(settings.database_url)
        guard.install(http, self.authenticator)
        problems.install(http)
        http.add_middleware(RefuseWhileStopping)  # outermost: before the guard
        self.add_check("tokens", self.authenticator.ready)
        self.on_start(self.authenticator.start)
        self.on_stop(self.authenticator.stop)

    def add_task(self, name: str, factory: TaskFactory) -> None:
        """A long-running coroutine, restarted with back-off if it fails."""
        self._tasks[name] = factory

    def add_check(self, name: str, check: Check) -> None:
        self._checks[name] = check

    def add_info(self, name: str, provider: Callable[[], object]) -> None:
        """Something `/readyz` shows beside its checks without deciding readiness (e.g. lag)."""
        self._info[name] = provider

    def on_start(self, hook: TaskFactory) -> None:
        self._on_start.append(hook)

    def on_stop(self, hook: TaskFactory) -> None:
        self._on_stop.append(hook)

    def _mount_health(self) -> None:
        @self.http.get("/healthz", tags=["health"], summary="Liveness: the process answers")
        async def healthz() -> dict[str, str]:
            return {"status": "ok", "service": self.settings.service_name}

        @self.http.get("/readyz", tags=["health"], summary="Readiness: dependencies and tasks")
        async def readyz() -> JSONResponse:
            results: dict[str, bool] = {"started": self._ready}
            if self.broker is not None:
                results["consumers"] = self._consuming
            for name, check in self._checks.items():
                try:
                    results[name] = bool(await asyncio.wait_for(check(), 2.0))
                except Exception:
                    results[name] = False
            for name in self._tasks:
                results[f"task:{name}"] = self._running.get(name, False)
            ok = all(results.values())
            body: dict[str, object] = {"ready": ok, "checks": results}
            body.update({name: provide() for name, provide in self._info.items()})
            return JSONResponse(body, status_code=200 if ok else 503)

        @self.http.get("/metrics", tags=["health"], summary="Metrics (Prometheus text format)")
        async def metrics() -> Response:
            return Response(metrics_text(), media_type="text/plain; version=0.0.4")

    async def _supervise(self, name: str, factory: TaskFactory) -> None:
        delay = 0.5
        while True:
            self._running[name] = True
            began = asyncio.get_running_loop().time()
            try:
                await factory()
                log.warning("task %s returned; restarting", name)
            except asyncio.CancelledError:
                self._running[name] = False
                raise
            except Exception:
                log.exception("task %s failed; restarting in %.1fs", name, delay)
            self._running[name] = False
            if asyncio.get_running_loop().time() - began > 60:
                delay = 0.5  # it ran a good while: this is a new failure, not the same one again
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def _start_consumers(self) -> None:
        """Start the broker's subscribers. aiokafka's `start()` waits until the consumer group
        hands out partitions, which can take a rebalance or longer; meanwhile the HTTP API,
        the health probes and the service's own loops (the relay, sla-timer's firing) run.
        `/readyz` reports `consumers` false until they consume."""
        assert self.broker is not None
        began = asyncio.get_running_loop().time()
        await self.broker.start()
        self._consuming = True
        log.info("consumers started", extra={
            "seconds": round(asyncio.get_running_loop().time() - began, 1)})

    async def run(self) -> None:
        shutdown.reset()  # one runtime per process; tests run several, one after another
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        for hook in self._on_start:
            await hook()
        tasks = [asyncio.create_task(self._supervise(n, f), name=n) for n, f in self._tasks.items()]
        consumers = asyncio.create_task(self._start_consumers(), name="consumers") if self.broker else None
        config = uvicorn.Config(
            self.http, host=self.settings.http_host, port=self.settings.http_port,
            log_config=None, access_log=False, lifespan="off",
        )
        server = uvicorn.Server(config)
        server.install_signal_handlers = lambda: None  # signals are ours
        http_task = asyncio.create_task(server.serve(), name="http")
        self._ready = True
        log.info("%s ready on http://%s:%d", self.settings.service_name,
                 self.settings.http_host, self.settings.http_port)
        waiter = asyncio.create_task(stop.wait())
        watched = {waiter, http_task, *([consumers] if consumers else [])}
        while True:
            done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            if done == {consumers} and consumers.exception() is None:
                watched.discard(consumers)  # consuming now; keep serving
                continue
            break
        self._ready = False
        shutdown.begin()  # no new work: commands 503, SMTP 421, no new batch or delivery
        log.info("%s stopping", self.settings.service_name)
        if consumers is not None and not consumers.done():
            consumers.cancel()  # still joining the group: nothing fetched yet
            await asyncio.gather(consumers, return_exceptions=True)
        if self.broker is not None:
            await self.broker.stop()  # consumers stop fetching; a handler in hand completes
        drained = await shutdown.drain(self.settings.shutdown_grace_seconds)
        server.should_exit = True  # uvicorn lets requests in hand finish
        background = [*tasks, *([consumers] if consumers else [])]
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        for hook in self._on_stop:
            await hook()
        await asyncio.gather(http_task, return_exceptions=True)
        log.info("%s stopped%s", self.settings.service_name,
                 "" if drained else " (work in hand was cut off at the grace period)")
        waiter.cancel()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)
        if http_task in done and http_task.exception():
            raise http_task.exception()  # e.g. the port was taken
        if consumers in done and not consumers.cancelled() and consumers.exception():
            raise consumers.exception()  # the broker refused us: exit, let the orchestrator restart


class RefuseWhileStopping:
    """While the service shuts down, commands (anything but GET, HEAD and OPTIONS) answer 503
    `shutting_down` with Retry-After: another instance, or this one restarted, takes them."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app) -> None:  # noqa: ANN001 (an ASGI app)
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] == "http" and shutdown.requested() and scope["method"] not in self.SAFE:
            body = b'{"detail":{"reason":"shutting_down","detail":"this instance is shutting down; retry"}}'
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", b"5"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
