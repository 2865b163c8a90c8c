"""PostgreSQL event store wiring for the `eventsourcing` library.

Each service is an `eventsourcing` Application in its own schema. Consumers use
multi-row tracking: the tracking table keeps one row per (source service, log
position), so positions that arrive interleaved from several Kafka partitions are
each recorded, and a position seen before is refused by the primary key.
The library is synchronous; async code calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qs, unquote, urlsplit

from typing import Any

import psycopg
import psycopg.errors
from psycopg import sql

# Events are stored as eventsourcing's JSONTranscoder writes them; this one reads them faster
# (`hotline.transcoding`).
TRANSCODER_TOPIC = "hotline.transcoding:FastJSONTranscoder"

# eventsourcing's PostgreSQL factory whose pool pings only connections that sat idle
# (`hotline.pg_factory`).
FACTORY_TOPIC = "hotline.pg_factory:Factory"


# TLS parameters of a database URL (`?sslmode=verify-full&sslrootcert=/etc/ca.pem`) and the
# environment variables libpq reads for each one it is not given. psycopg (with the URL) and
# asyncpg (its DSN parser) take these in the URL itself; eventsourcing passes psycopg only
# dbname, host, port, user and password and has no setting for TLS, so `postgres_env` hands
# them on as these variables of the process.
LIBPQ_TLS_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
}


def libpq_tls_env(database_url: str) -> dict[str, str]:
    """The PGSSL* variables for the TLS parameters in `database_url`'s query."""
    query = parse_qs(urlsplit(database_url).query)
    return {var: query[param][-1] for param, var in LIBPQ_TLS_ENV.items() if param in query}


def postgres_env(database_url: str, schema: str) -> dict[str, str]:
    """The eventsourcing environment for `database_url`, keeping tables in `schema`. The URL's
    TLS parameters (sslmode, sslrootcert, sslcert, sslkey, sslcrl) are set as libpq's PGSSL*
    variables of this process (`libpq_tls_env`), since eventsourcing cannot pass them on."""
    parts = urlsplit(database_url)
    query = parse_qs(parts.query)
    os.environ.update(libpq_tls_env(database_url))
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    port = query.get("port", [str(parts.port or 5432)])[0]
    return {
        "PERSISTENCE_MODULE": FACTORY_TOPIC,
        "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": port,
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        "POSTGRES_PRE_PING": "y",
        "SINGLE_ROW_TRACKING": "n",
        "CREATE_TABLE": "y",
        "TRANSCODER_TOPIC": TRANSCODER_TOPIC,
    }


def popo_env() -> dict[str, str]:
    """In-memory persistence for unit tests (same application code, no database)."""
    return {"PERSISTENCE_MODULE": "eventsourcing.popo", "SINGLE_ROW_TRACKING": "n",
            "TRANSCODER_TOPIC": TRANSCODER_TOPIC}


def ensure_schema(database_url: str, schema: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        create_if_missing(conn, sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))


def create_if_missing(conn: psycopg.Connection, statement: Any) -> None:
    """Run a `CREATE ... IF NOT EXISTS`. Two processes starting at once can both pass the
    existence check and one then fails on the catalog's unique index; for it the object
    exists, which is all it wanted."""
    try:
        conn.execute(statement)
    except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateObject,
            psycopg.errors.DuplicateTable, psycopg.errors.DuplicateSchema):
        pass

