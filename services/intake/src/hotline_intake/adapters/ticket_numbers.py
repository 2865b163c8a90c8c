"""Ticket numbers: human-readable, sequential, unique under concurrent intake.

A PostgreSQL sequence hands out numbers atomically across every intake instance.
A number whose ticket was never saved (a crash in between) leaves a gap; it is
never reused, so no number can name two tickets.
"""

from __future__ import annotations

import itertools
import threading

import psycopg
from psycopg import sql

from hotline.eventstore import create_if_missing

PREFIX = "T-"


def format_number(value: int) -> str:
    return f"{PREFIX}{value:06d}"


class PostgresTicketNumbers:
    def __init__(self, database_url: str, schema: str) -> None:
        self._url = database_url
        self._sequence = sql.Identifier(schema, "ticket_number_seq")
        self._regclass = f'"{schema}".ticket_number_seq'
        self._local = threading.local()
        with psycopg.connect(database_url, autocommit=True) as conn:
            create_if_missing(conn, sql.SQL("CREATE SEQUENCE IF NOT EXISTS {}").format(self._sequence))

    def _conn(self) -> psycopg.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._local.conn = psycopg.connect(self._url, autocommit=True)
        return conn

    def next(self) -> str:
        try:
            row = self._conn().execute("SELECT nextval(%s::regclass)", (self._regclass,)).fetchone()
        except psycopg.OperationalError:
            self._local.conn = None
            raise
        assert row is not None
        return format_number(int(row[0]))


class InMemoryTicketNumbers:
    """For unit tests on in-memory persistence."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def next(self) -> str:
        with self._lock:
            return format_number(next(self._counter))
