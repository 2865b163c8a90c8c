"""The token store: `hotline_identity.tokens` in PostgreSQL, written by admins (the CLI).

A token is `hlt_` plus 32 random bytes (URL-safe base64); only its SHA-256 is stored, with a
name (unique among active tokens), a role, who created it and when, and when it was revoked.
Every change NOTIFYs `hotline_tokens`, so services reload at once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import dict_row

from hotline.eventstore import create_if_missing
from hotline.identity.roles import Role

SCHEMA = "hotline_identity"
TABLE = f"{SCHEMA}.tokens"
CHANNEL = "hotline_tokens"
PREFIX = "hlt_"
DDL = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, name text NOT NULL, "
    "role text NOT NULL, hash text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now(), "
    "created_by text NOT NULL, revoked_at timestamptz)",
    f"CREATE UNIQUE INDEX IF NOT EXISTS tokens_active_name ON {TABLE} (name) WHERE revoked_at IS NULL",
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS customer text",
)


class TokenError(ValueError):
    """A token command that cannot be done (a name in use, an unknown name or role)."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenRecord:
    name: str
    role: str
    fingerprint: str  # the first characters of the hash: enough to tell tokens apart
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    customer: str | None = None


class TokenStore:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def _connect(self) -> psycopg.Connection:
        conn = psycopg.connect(self.database_url, autocommit=True, row_factory=dict_row)
        for statement in DDL:
            create_if_missing(conn, statement)
        return conn

    def create(self, name: str, role: str, created_by: str, customer: str | None = None) -> str:
        """A new token (shown only now), or TokenError if an active one has this name. A
        `customer` token names the one customer it is scoped to; no other role takes one."""
        if role not in Role.__members__.values():
            raise TokenError(f"unknown role {role!r}; roles are {', '.join(r.value for r in Role)}")
        if (role == Role.CUSTOMER) != bool(customer and customer.strip()):
            raise TokenError("a customer token names its customer (--customer), and only it does")
        if customer is not None and len(customer) > 200:
            raise TokenError("a customer's name is at most 200 characters")
        if not name.strip() or len(name) > 100:
            raise TokenError("a token's name is 1 to 100 characters")
        token = PREFIX + secrets.token_urlsafe(32)
        with self._connect() as conn, conn.transaction():
            try:
                conn.execute(f"INSERT INTO {TABLE} (name, role, hash, created_by, customer) "
                             "VALUES (%s, %s, %s, %s, %s)", (name, role, digest(token), created_by,
                                                            customer))
            except psycopg.errors.UniqueViolation:
                raise TokenError(f"an active token is already named {name!r}; revoke it first") from None
            conn.execute(f"NOTIFY {CHANNEL}")
        return token

    def revoke(self, name: str) -> None:
        with self._connect() as conn, conn.transaction():
            done = conn.execute(f"UPDATE {TABLE} SET revoked_at = now() WHERE name = %s "
                                "AND revoked_at IS NULL", (name,))
            if done.rowcount == 0:
                raise TokenError(f"no active token is named {name!r}")
            conn.execute(f"NOTIFY {CHANNEL}")

    def replace(self, name: str, role: str, created_by: str, customer: str | None = None) -> str:
        """Revoke the active token of this name, if any, and create a new one."""
        try:
            self.revoke(name)
        except TokenError:
            pass
        return self.create(name, role, created_by, customer)

    def list(self) -> list[TokenRecord]:
        with self._connect() as conn:
            rows = conn.execute(f"SELECT name, role, hash, created_at, created_by, revoked_at, "
                                f"customer FROM {TABLE} ORDER BY created_at, id").fetchall()
        return [TokenRecord(r["name"], r["role"], r["hash"][:12], r["created_at"], r["created_by"],
                            r["revoked_at"], r["customer"]) for r in rows]
