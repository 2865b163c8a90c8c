"""Web-console sign-in: one-time links for customers' contacts, sessions, and CSRF tokens.

Kept in PostgreSQL beside intake's events (schema `intake`), so any intake instance serves any
session. Only SHA-256 digests of link and session secrets are stored.

- A link is asked for by address; at most `links_per_window` per address per link lifetime
  (429 beyond). It is issued for a registered contact only, but the page never says whether an
  address is registered. It is used once, before it expires (`HOTLINE_INTAKE_PORTAL_LINK_TTL`).
- A session is a scope: `customer` (a contact: one customer's tickets) or an agent's role
  (signed in with an API token). It carries its own CSRF token, which every form posts back.
- Expiry is measured on the service's clock (the simulated clock in tests).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from hotline.eventstore import create_if_missing


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time comparison of two secrets (False when either is missing)."""
    return bool(a and b) and hmac.compare_digest(a.encode(), b.encode())  # type: ignore[union-attr]


@dataclass(frozen=True)
class Session:
    name: str  # a contact's address, or the agent token's name
    role: str  # customer | agent | reviewer | auditor | admin
    customer: str | None  # the one customer a `customer` session sees
    csrf: str
    expires_at: datetime

    @property
    def is_customer(self) -> bool:
        return self.role == "customer"

    def actor(self) -> dict[str, str]:
        return {"name": self.name, "role": "email" if self.is_customer else self.role}


class LinkState:
    VALID, EXPIRED, USED, UNKNOWN = "valid", "expired", "used", "unknown"


class SessionStore:
    def __init__(self, database_url: str, schema: str) -> None:
        self.pool = ConnectionPool(database_url, min_size=1, max_size=4, open=False,
                                   kwargs={"autocommit": True, "row_factory": dict_row})
        self.links = sql.Identifier(schema, "portal_login_links")
        self.sessions = sql.Identifier(schema, "portal_sessions")
        self.schema = schema

    def open(self) -> None:
        self.pool.open(wait=True, timeout=30)
        with self.pool.connection() as conn:
            create_if_missing(conn, sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(self.schema)))
            create_if_missing(conn, sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (hash text PRIMARY KEY, email text NOT NULL, "
                "customer text, created_at timestamptz NOT NULL, expires_at timestamptz NOT NULL, "
                "used_at timestamptz)").format(self.links))
            create_if_missing(conn, sql.SQL(
                "CREATE INDEX IF NOT EXISTS portal_login_links_email ON {} (email, created_at)"
            ).format(self.links))
            create_if_missing(conn, sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (hash text PRIMARY KEY, name text NOT NULL, "
                "role text NOT NULL, customer text, csrf text NOT NULL, "
                "expires_at timestamptz NOT NULL)").format(self.sessions))

    def close(self) -> None:
        self.pool.close()

    # -- links ------------------------------------------------------------------------------
    def links_requested(self, email: str, since: datetime) -> int:
        with self.pool.connection() as conn:
            [row] = conn.execute(sql.SQL("SELECT count(*) AS n FROM {} WHERE email = %s AND "
                                         "created_at > %s").format(self.links), (email, since)).fetchall()
        return row["n"]

    def issue_link(self, email: str, customer: str | None, now: datetime, ttl: timedelta) -> str:
        """A new link's secret (recorded for an unknown address too, so it counts toward the
        limit; such a link is never sent and signs nobody in)."""
        secret = secrets.token_urlsafe(32)
        with self.pool.connection() as conn:
            conn.execute(sql.SQL("INSERT INTO {} (hash, email, customer, created_at, expires_at) "
                                 "VALUES (%s, %s, %s, %s, %s)").format(self.links),
                         (digest(secret), email, customer, now, now + ttl))
        return secret

    def link_state(self, secret: str, now: datetime) -> tuple[str, str | None]:
        """(state, email) of a link."""
        with self.pool.connection() as conn:
            row = conn.execute(sql.SQL("SELECT email, customer, expires_at, used_at FROM {} "
                                       "WHERE hash = %s").format(self.links), (digest(secret),)).fetchone()
        if row is None or row["customer"] is None:
            return LinkState.UNKNOWN, None
        if row["used_at"] is not None:
            return LinkState.USED, row["email"]
        if row["expires_at"] <= now:
            return LinkState.EXPIRED, row["email"]
        return LinkState.VALID, row["email"]

    def use_link(self, secret: str, now: datetime) -> tuple[str, str] | None:
        """(email, customer) of a valid link, marked used; None if it is not valid (any more)."""
        with self.pool.connection() as conn:
            row = conn.execute(sql.SQL(
                "UPDATE {} SET used_at = %s WHERE hash = %s AND used_at IS NULL AND expires_at > %s "
                "AND customer IS NOT NULL RETURNING email, customer").format(self.links),
                (now, digest(secret), now)).fetchone()
        return (row["email"], row["customer"]) if row else None

    # -- sessions ---------------------------------------------------------------------------
    def start(self, name: str, role: str, customer: str | None, now: datetime, ttl: timedelta) -> str:
        secret = secrets.token_urlsafe(32)
        with self.pool.connection() as conn:
            conn.execute(sql.SQL("DELETE FROM {} WHERE expires_at < %s").format(self.sessions), (now,))
            conn.execute(sql.SQL("INSERT INTO {} (hash, name, role, customer, csrf, expires_at) "
                                 "VALUES (%s, %s, %s, %s, %s, %s)").format(self.sessions),
                         (digest(secret), name, role, customer, secrets.token_urlsafe(24), now + ttl))
        return secret

    def find(self, secret: str | None, now: datetime) -> Session | None:
        if not secret or len(secret) > 100:
            return None
        with self.pool.connection() as conn:
            row = conn.execute(sql.SQL("SELECT name, role, customer, csrf, expires_at FROM {} "
                                       "WHERE hash = %s").format(self.sessions), (digest(secret),)).fetchone()
        if row is None or row["expires_at"] <= now:
            return None
        return Session(row["name"], row["role"], row["customer"], row["csrf"], row["expires_at"])

    def end(self, secret: str | None) -> None:
        if secret:
            with self.pool.connection() as conn:
                conn.execute(sql.SQL("DELETE FROM {} WHERE hash = %s").format(self.sessions), (digest(secret),))
