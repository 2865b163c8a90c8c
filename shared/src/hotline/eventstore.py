"""PostgreSQL event store wiring for the `eventsourcing` library.

Each service is an `eventsourcing` Application in its own schema. Consumers use
multi-row tracking: the tracking table keeps one row per (source service, log
position), so positions that arrive interleaved from several Kafka partitions are
each recorded, and a position seen before is refused by the primary key.
The library is synchronous; async code calls it through `asyncio.to_thread`.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from typing import Any

import psycopg
import psycopg.errors
from psycopg import sql

# Events are stored as eventsourcing's JSONTranscoder writes them; this one reads them faster
# (`hotline.transcoding`).
TRANSCODER_TOPIC = "hotline.transcoding:FastJSONTranscoder"


def postgres_env(database_url: str, schema: str) -> dict[str, str]:
    """The eventsourcing environment for `database_url`, keeping tables in `schema`."""
    parts = urlsplit(database_url)
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
    port = query.get("port", [str(parts.port or 5432)])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
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

