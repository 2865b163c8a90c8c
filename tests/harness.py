"""Test harness: real PostgreSQL, a fresh tansu broker, the mail sink and the services.

Used by tests/conftest.py (fixtures `infra` and `stack`); importable from tests as
`from harness import kafka_messages, Infra, Stack` (tests/ is on sys.path via conftest).

- `Infra`: PostgreSQL (HOTLINE_DATABASE_URL's server, else an embedded one in a temp dir) with
  a fresh database for the session, dropped at the end; a fresh tansu broker on a free port
  with Hotline's topics. Never skipped: failing to start is an error.
  With HOTLINE_TEST_INFRA=containers (or auto, the default, when a Docker engine answers; see
  tests/infra_selection.py) PostgreSQL (unless HOTLINE_DATABASE_URL names one) and Apache Kafka
  (KRaft) run in containers started with testcontainers instead, and the idempotent producer
  is on (HOTLINE_KAFKA_IDEMPOTENCE=true); on the embedded path it is off (tansu refuses it).
- `Stack`: `Infra` + mail sink on a free port + every installed service on free ports, with
  the simulated clock on and the demo customer directory, and a token per role
  (`stack.tokens`; `stack.client(service, role)` is an httpx client that sends one; `stack.env`
  carries the admin's as HOTLINE_TOKEN for CLI commands).
Every process is a child of the pytest process, stopped by pid at the end (and by atexit and
the parent-death signal if the session dies).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import psutil
from hotline.devstack import broker as broker_mod
from hotline.devstack import hooksink, mailsink
from hotline.devstack import postgres as pg
from hotline.devstack import services as svc
from hotline.devstack.ports import HOST, free_port, free_ports
from hotline.devstack.supervisor import Supervisor, tail
from hotline.identity import ROLES
from hotline.identity.tokens import TokenStore
from infra_selection import ENV as INFRA_ENV
from infra_selection import docker_reachable, select_infra
from tcp_proxy import TcpProxy

PG_TMP_PREFIX = "hotline-test-pg-"
POSTGRES_IMAGE = os.environ.get("HOTLINE_TEST_POSTGRES_IMAGE", "postgres:16-alpine")
KAFKA_IMAGE = os.environ.get("HOTLINE_TEST_KAFKA_IMAGE", "apache/kafka:3.9.1")


async def kafka_messages(
    bootstrap: str, topic: str, *, timeout: float = 10.0, min_count: int = 0
) -> list[Any]:
    """All messages currently on `topic` (fresh consumer, no group, earliest to the end
    offsets): aiokafka ConsumerRecords (.key .value .headers .partition .offset), ordered by
    partition then offset. `min_count`: re-read until at least that many are there."""
    return await broker_mod.read_topic(bootstrap, topic, timeout=timeout, min_count=min_count)


async def subject_records(bootstrap: str, topic: str, subject: str, count: int,
                          timeout: float = 30.0) -> list[Any]:
    """The records about one subject (a ticket number) on `topic`, once at least `count` are
    there (or the timeout passed), in the source's log order."""
    deadline = time.monotonic() + timeout
    while True:
        found = [r for r in await kafka_messages(bootstrap, topic)
                 if headers_dict(r).get("ce_subject") == subject]
        if len(found) >= count or time.monotonic() > deadline:
            return sorted(found, key=lambda r: int(headers_dict(r).get("hotline_position", 0)))
        await asyncio.sleep(0.3)


def headers_dict(record: Any) -> dict[str, str]:
    """A ConsumerRecord's headers as {name: decoded value}."""
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in (record.headers or [])}


def _sweep_stale_pg_dirs() -> None:
    """Remove embedded-PostgreSQL temp dirs of test sessions that died (pid gone)."""
    root = Path(tempfile.gettempdir())
    for d in root.glob(PG_TMP_PREFIX + "*"):
        m = re.match(rf"{PG_TMP_PREFIX}(\d+)-", d.name)
        if m and not psutil.pid_exists(int(m.group(1))):
            shutil.rmtree(d, ignore_errors=True)


@dataclass
class Infra:
    """PostgreSQL + broker for one test session."""

    supervisor: Supervisor
    server_url: str  # maintenance URL of the server (database `postgres`)
    database_url: str  # the session's fresh database
    kafka_bootstrap: str
    partitions: int
    log_dir: Path
    embedded_postgres: bool
    _pg_tmp: Path | None = None
    kind: str = "embedded"  # or "containers" (HOTLINE_TEST_INFRA)
    _containers: list[Any] | None = None  # testcontainers, stopped at close
    broker_proxy: TcpProxy | None = None  # between every client and the broker (fault tests)

    async def restart_postgres(self) -> None:
        """Stop the embedded PostgreSQL (fast shutdown: every connection is cut) and start it
        again on the same port and data; returns when it accepts connections."""
        assert self.embedded_postgres and self.kind == "embedded", "only the embedded server"
        await self.supervisor.restart("postgres")

    async def restart_broker(self) -> None:
        """Stop the local broker and start it again on the same port. It keeps topics in
        memory: they come back empty, and are created again (`HOTLINE_TOPIC_PARTITIONS` each)
        before any client reaches it — tansu creates an unknown topic a client asks for, with a
        partition count of its own, which would move keys to other partitions. With a
        `broker_proxy`, clients are held off at the proxy until the topics exist."""
        proxy = self.broker_proxy
        if proxy is None:
            await self.supervisor.restart("broker")
            await broker_mod.ensure_topics(self.kafka_bootstrap, self.partitions)
            return
        proxy.cut()
        try:
            await self.supervisor.stop("broker")
            self.supervisor.spawn("broker")
            await asyncio.to_thread(broker_mod.create_topics_directly, proxy.target_port,
                                    self.partitions)
        finally:
            proxy.restore()
        await self.supervisor.wait_ready("broker")

    @property
    def idempotence(self) -> bool:
        """Real Kafka takes the idempotent producer; the embedded tansu broker refuses it."""
        return self.kind == "containers"

    @property
    def env(self) -> dict[str, str]:
        """HOTLINE_* and eventsourcing POSTGRES_* settings pointing at this infrastructure."""
        return {
            "HOTLINE_DATABASE_URL": self.database_url,
            "HOTLINE_KAFKA_BOOTSTRAP": self.kafka_bootstrap,
            "HOTLINE_KAFKA_IDEMPOTENCE": "true" if self.idempotence else "false",
            "HOTLINE_TOPIC_PARTITIONS": str(self.partitions),
            **pg.eventsourcing_env(self.database_url),
        }

    def fresh_database(self) -> str:
        """Another fresh database on the same server (caller drops it with `drop_database`)."""
        return pg.create_fresh_database(self.server_url)

    @staticmethod
    def drop_database(url: str) -> None:
        pg.drop_database(url)

    async def close(self) -> None:
        try:
            if not self.embedded_postgres:
                await asyncio.to_thread(pg.drop_database, self.database_url)
        finally:
            await self.supervisor.stop_all()
            if self._pg_tmp is not None:
                shutil.rmtree(self._pg_tmp, ignore_errors=True)
            if self.broker_proxy is not None:
                self.broker_proxy.close()
            await asyncio.to_thread(_stop_containers, self._containers or [])


def _stop_containers(containers: list[Any]) -> None:
    for container in reversed(containers):
        try:
            container.stop()
        except Exception:  # noqa: BLE001,S110  (the Ryuk reaper removes what is left)
            pass


def _start_postgres_container() -> tuple[Any, str]:
    """A PostgreSQL container; returns it and its maintenance URL (database `postgres`)."""
    from testcontainers.community.postgres import PostgresContainer

    container = PostgresContainer(POSTGRES_IMAGE, username="postgres", password="postgres",
                                  dbname="postgres", driver=None)
    container.start()  # waits until pg_isready answers
    return container, container.get_connection_url(driver=None)


def _start_kafka_container() -> tuple[Any, str]:
    """Apache Kafka in KRaft mode (one node, broker and controller). The client listener is
    bound to a free host port chosen first, so it can be advertised as that port."""
    from testcontainers.core.container import DockerContainer

    port = free_port()
    container = DockerContainer(KAFKA_IMAGE).with_bind_ports(9092, port)
    host = container.get_docker_client().host()
    container.with_envs(
        KAFKA_NODE_ID="1",
        KAFKA_PROCESS_ROLES="broker,controller",
        KAFKA_LISTENERS="PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093",
        KAFKA_ADVERTISED_LISTENERS=f"PLAINTEXT://{host}:{port}",
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        KAFKA_CONTROLLER_LISTENER_NAMES="CONTROLLER",
        KAFKA_CONTROLLER_QUORUM_VOTERS="1@localhost:9093",
        KAFKA_INTER_BROKER_LISTENER_NAME="PLAINTEXT",
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR="1",
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR="1",
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR="1",
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS="0",
    )
    container.start()
    return container, f"{host}:{port}"


async def _wait_for_kafka(container: Any, bootstrap: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not await broker_mod.broker_ready(bootstrap):
        if time.monotonic() > deadline:
            logs = "".join((part or b"").decode(errors="replace") for part in container.get_logs())
            raise RuntimeError(f"Kafka container ({KAFKA_IMAGE}) at {bootstrap} not ready after "
                               f"{timeout:.0f}s; its output ends:\n{logs[-3000:]}")
        await asyncio.sleep(1.0)


def infra_kind() -> str:
    """`containers` or `embedded`, from HOTLINE_TEST_INFRA (auto: containers when a Docker
    engine answers)."""
    return select_infra(os.environ.get(INFRA_ENV), docker_reachable)


async def start_infra(log_dir: Path, *, partitions: int | None = None,
                      kind: str | None = None, broker_proxy: bool = False) -> Infra:
    """Start (or connect to) PostgreSQL and a fresh broker; create the session database
    and the topics. On failure everything started is stopped again. `kind`: `embedded` or
    `containers` (default: `infra_kind()`, from HOTLINE_TEST_INFRA). `broker_proxy`: the
    broker advertises a `TcpProxy` in front of it (`infra.broker_proxy`), which every client
    goes through (embedded only)."""
    partitions = partitions or int(os.environ.get("HOTLINE_TOPIC_PARTITIONS", "3"))
    kind = kind or infra_kind()
    # In-process producers (tests' make_producer(ServiceSettings(...))) read it too.
    os.environ["HOTLINE_KAFKA_IDEMPOTENCE"] = "true" if kind == "containers" else "false"
    if kind == "containers":
        return await _start_container_infra(log_dir, partitions)
    sup = Supervisor(log_dir)
    external = os.environ.get("HOTLINE_DATABASE_URL")
    pg_tmp: Path | None = None
    proxy: TcpProxy | None = None
    try:
        specs = []
        if external:
            server_url = pg.with_database(external, "postgres")
        else:
            _sweep_stale_pg_dirs()
            pg_tmp = Path(tempfile.mkdtemp(prefix=f"{PG_TMP_PREFIX}{os.getpid()}-"))
            pg_tmp.chmod(0o755)
            data = pg_tmp / "data"
            user = await asyncio.to_thread(pg.init_data_dir, data)
            port = free_port()
            specs.append(pg.server_spec(data, port, ephemeral=True, user=user))
            server_url = pg.server_url(port)
        kafka_port = free_port()
        if broker_proxy:
            proxy = TcpProxy(kafka_port)
        specs.append(broker_mod.broker_spec(kafka_port, advertised_port=proxy and proxy.port))
        await sup.start_many(specs)
        bootstrap = f"{HOST}:{proxy.port if proxy else kafka_port}"
        if external:
            await asyncio.to_thread(pg.sweep_stale_databases, server_url)
        database_url = await asyncio.to_thread(pg.create_fresh_database, server_url)
        await broker_mod.ensure_topics(bootstrap, partitions)
    except BaseException:
        await sup.stop_all()
        if pg_tmp is not None:
            shutil.rmtree(pg_tmp, ignore_errors=True)
        if proxy is not None:
            proxy.close()
        raise
    return Infra(
        supervisor=sup,
        server_url=server_url,
        database_url=database_url,
        kafka_bootstrap=bootstrap,
        partitions=partitions,
        log_dir=Path(log_dir),
        embedded_postgres=not external,
        _pg_tmp=pg_tmp,
        broker_proxy=proxy,
    )


async def _start_container_infra(log_dir: Path, partitions: int) -> Infra:
    """PostgreSQL (unless HOTLINE_DATABASE_URL names a server) and Apache Kafka in containers.
    Not exercised where no Docker engine runs; see README, Tests."""
    external = os.environ.get("HOTLINE_DATABASE_URL")
    containers: list[Any] = []
    sup = Supervisor(log_dir)  # nothing supervised; Infra.close expects one
    try:
        if external:
            server_url = pg.with_database(external, "postgres")
        else:
            container, server_url = await asyncio.to_thread(_start_postgres_container)
            containers.append(container)
        container, bootstrap = await asyncio.to_thread(_start_kafka_container)
        containers.append(container)
        await _wait_for_kafka(container, bootstrap)
        if external:
            await asyncio.to_thread(pg.sweep_stale_databases, server_url)
        database_url = await asyncio.to_thread(pg.create_fresh_database, server_url)
        await broker_mod.ensure_topics(bootstrap, partitions)
    except BaseException:
        await asyncio.to_thread(_stop_containers, containers)
        raise
    return Infra(
        supervisor=sup,
        server_url=server_url,
        database_url=database_url,
        kafka_bootstrap=bootstrap,
        partitions=partitions,
        log_dir=Path(log_dir),
        embedded_postgres=not external,  # a container's database goes with the container
        kind="containers",
        _containers=containers,
    )


@dataclass
class Stack:
    """The running services on top of `infra`. Attributes:

    - `env`: the environment given to every service (HOTLINE_DATABASE_URL, ..., each
      service's HOTLINE_<SERVICE>_HTTP_PORT, HOTLINE_INTAKE_SMTP_PORT): run CLI commands
      against the stack with it, e.g. `subprocess.run([...], env=stack.env)`.
    - `urls`: {service: "http://127.0.0.1:PORT"}; also `stack.url("intake")`.
    - `intake_smtp`: (host, port) of intake's SMTP listener.
    - `mail_dir`: where the sink writes `.eml` files; `smtp_url`: the sink's URL.
    - `hooks_dir`: what the webhook sink received (`stack.hooks()`), signed with `webhook_secret`.
    - `refuse_mail(rule)` / `refuse_hooks(on)`: make the sinks refuse deliveries (retry tests;
      the notifier retries after 1 s, 2 s, 4 s, ... and probes a relay that is down every 0.5 s).
    """

    infra: Infra
    supervisor: Supervisor
    env: dict[str, str]
    services: list[str]
    urls: dict[str, str]
    intake_smtp: tuple[str, int]
    mail_dir: Path
    smtp_url: str
    hooks_dir: Path  # what the webhook sink (HOTLINE_NOTIFIER_WEBHOOK_URL) received
    webhook_secret: str
    log_dir: Path
    tokens: dict[str, str]  # role -> bearer token

    # -- addresses ---------------------------------------------------------------------
    def client(self, service: str, role: str | None = "admin", *, token: str | None = None,
               **kwargs: Any) -> httpx.AsyncClient:
        """An httpx client for a service's API, sending `token`, or the token of `role` (None:
        no token)."""
        token = token or (self.tokens[role] if role else None)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.AsyncClient(base_url=self.url(service), headers=headers, **kwargs)

    def url(self, service: str) -> str:
        if service not in self.urls:
            raise KeyError(
                f"service {service!r} is not running in the test stack "
                f"(installed: {', '.join(self.services) or 'none'})"
            )
        return self.urls[service]

    @property
    def database_url(self) -> str:
        return self.infra.database_url

    @property
    def kafka_bootstrap(self) -> str:
        return self.infra.kafka_bootstrap

    # -- processes ---------------------------------------------------------------------
    def kill(self, name: str) -> None:
        """SIGKILL the service (and its process group); it stays down until `start`."""
        self.supervisor.kill(name)

    async def start(self, name: str, extra_env: Mapping[str, str] | None = None) -> None:
        """Start a stopped/killed service and wait until GET /readyz is 200. `extra_env`
        overrides settings for this run only (the next plain `start` uses `env` again)."""
        await self.supervisor.start(svc.service_spec(name, {**self.env, **(extra_env or {})}))

    async def stop(self, name: str) -> None:
        """Stop a service cleanly (SIGTERM, SIGKILL after 10 s)."""
        await self.supervisor.stop(name)

    async def restart(self, name: str) -> None:
        await self.supervisor.restart(name)

    def running(self, name: str) -> bool:
        return self.supervisor[name].running()

    def pid(self, name: str) -> int | None:
        return self.supervisor.pid(name)

    def log(self, name: str, lines: int = 200) -> str:
        """The tail of a child's log (`<log_dir>/<name>.log`)."""
        return tail(self.supervisor.log_path(name), lines)

    async def ensure_running(self) -> None:
        """Start again every service that is not running (e.g. a test killed it)."""
        dead = [n for n in self.services if not self.supervisor[n].running()]
        for name in dead:
            await self.supervisor.stop(name)  # reap, close log
        if dead:
            await self.supervisor.start_many(dead)

    # -- mail --------------------------------------------------------------------------
    def mail_count(self) -> int:
        """How many messages the sink holds; pass as `since=` to ignore older ones."""
        return len(mailsink.list_messages(self.mail_dir))

    def refuse_mail(self, rule: dict | None) -> None:
        """Make the mail sink refuse mail as `rule` says, e.g. `{"all": 421}` (every MAIL FROM:
        the relay is down) or `{"recipients": {"noc@acme.example": 450}}` (that RCPT TO is
        greylisted); `None`: take every message again. Takes effect at the sink's next command
        (`refuse.json` in `mail_dir`, written atomically; see `hotline.devstack.mailsink`)."""
        mailsink.write_refusals(self.mail_dir, rule)

    def refuse_hooks(self, refuse: bool = True) -> None:
        """While on, the webhook sink answers every POST with 503 (and saves nothing)."""
        flag = self.hooks_dir / "refuse"
        if refuse:
            self.hooks_dir.mkdir(parents=True, exist_ok=True)
            flag.touch()
        else:
            flag.unlink(missing_ok=True)

    def hooks(self) -> list[dict]:
        """Every webhook request the sink received: {"path", "headers", "body"} in arrival order."""
        return hooksink.received(self.hooks_dir)

    def mails(self, since: int = 0) -> list[EmailMessage]:
        """Every message in the sink in arrival order (parsed; `msg.path` is the file)."""
        return [mailsink.parse_message(p) for p in mailsink.list_messages(self.mail_dir)[since:]]

    async def wait_for_mail(
        self,
        predicate: Callable[[EmailMessage], bool] | None = None,
        timeout: float = 15.0,
        *,
        count: int = 1,
        since: int = 0,
    ) -> list[EmailMessage]:
        """Wait until at least `count` sink messages (from index `since`) satisfy
        `predicate`; return all that do, in arrival order. AssertionError on timeout,
        listing what did arrive."""
        deadline = time.monotonic() + timeout
        seen: dict[Path, EmailMessage] = {}
        while True:
            for path in mailsink.list_messages(self.mail_dir)[since:]:
                if path not in seen:
                    seen[path] = mailsink.parse_message(path)
            matches = [m for m in seen.values() if predicate is None or predicate(m)]
            if len(matches) >= count:
                return matches
            if time.monotonic() > deadline:
                summary = (
                    "\n".join(
                        f"  To: {m.get('To')} | Subject: {m.get('Subject')}" for m in seen.values()
                    )
                    or "  (none)"
                )
                raise AssertionError(
                    f"{len(matches)}/{count} matching mail(s) after {timeout}s; "
                    f"mail in {self.mail_dir}:\n{summary}"
                )
            await asyncio.sleep(0.1)

    async def close(self) -> None:
        await self.supervisor.stop_all()


async def start_stack(
    infra: Infra,
    base_dir: Path,
    *,
    services: list[str] | None = None,
    extra_env: Mapping[str, str] | None = None,
    argv_for: Callable[[str], list[str]] | None = None,
) -> Stack:
    """Start the mail sink and `services` (default: all installed) on free ports.
    `argv_for(name)` replaces `hotline serve NAME` (for testing the harness itself)."""
    names = svc.installed_services() if services is None else list(services)
    log_dir = Path(base_dir) / "logs"
    mail_dir = Path(base_dir) / "mail"
    hooks_dir = Path(base_dir) / "hooks"
    sup = Supervisor(log_dir)
    try:
        sink_port, hook_port = free_ports(2)
        await sup.start_many([mailsink.sink_spec(sink_port, mail_dir),
                              hooksink.hook_spec(hook_port, hooks_dir)])
        smtp_url = f"smtp://{HOST}:{sink_port}"
        webhook_secret = secrets.token_urlsafe(24)

        fields = {n: list(svc.DEFAULT_PORTS.get(n, {"HTTP_PORT": 0})) for n in names}
        allocated = iter(free_ports(sum(len(f) for f in fields.values())))
        ports = {n: {f: next(allocated) for f in fs} for n, fs in fields.items()}
        stack_env = {
            **infra.env,
            "HOTLINE_SMTP_URL": smtp_url,
            "HOTLINE_NOTIFIER_WEBHOOK_URL": f"http://{HOST}:{hook_port}/pages",
            "HOTLINE_NOTIFIER_WEBHOOK_SECRET": webhook_secret,
            "HOTLINE_SIMULATED_CLOCK": "true",
            "HOTLINE_VAR_DIR": str(Path(base_dir) / "var"),
            # Tests send many emails from the demo contact and open many Acme tickets: no limits
            # unless a test sets its own (tests of the limits do).
            "HOTLINE_INTAKE_REPLIES_PER_HOUR": "0",
            "HOTLINE_INTAKE_TICKETS_PER_CUSTOMER_PER_HOUR": "0",
            # A refused delivery is retried within seconds (1 s, 2 s, 4 s, ...; no jitter) and a
            # relay that was down is asked again twice a second, so retry tests stay short.
            # Mail is taken at the first attempt unless a test makes the sinks refuse it.
            "HOTLINE_NOTIFIER_RETRY_BASE_SECONDS": "1",
            "HOTLINE_NOTIFIER_RETRY_JITTER": "0",
            "HOTLINE_NOTIFIER_RELAY_PROBE_SECONDS": "0.5",
            **svc.port_env(ports),
        }
        directory = svc.demo_directory_file()
        if directory is not None:
            stack_env["HOTLINE_INTAKE_DIRECTORY_FILE"] = str(directory)
            stack_env["HOTLINE_DIRECTORY_FILE"] = str(directory)  # notifier's too
        store = TokenStore(infra.database_url)
        tokens = {role: await asyncio.to_thread(store.replace, f"test-{role}", role, "tests",
                                                "Acme Corp" if role == "customer" else None)
                  for role in ROLES}  # the customer token: a contact's of Acme Corp
        stack_env["HOTLINE_TOKEN"] = tokens["admin"]
        if extra_env:
            stack_env.update(extra_env)
        env = svc.base_env(stack_env, keep_hotline=False)
        specs = [svc.service_spec(n, env, argv=argv_for(n) if argv_for else None) for n in names]
        if specs:
            await sup.start_many(specs)
    except BaseException:
        await sup.stop_all()
        raise
    intake_smtp_port = ports.get("intake", {}).get("SMTP_PORT", 0)
    return Stack(
        infra=infra,
        supervisor=sup,
        env=env,
        services=names,
        urls={n: svc.http_url(env, n) for n in names},
        intake_smtp=(HOST, intake_smtp_port),
        mail_dir=mail_dir,
        smtp_url=smtp_url,
        hooks_dir=hooks_dir,
        webhook_secret=webhook_secret,
        log_dir=log_dir,
        tokens=tokens,
    )
