"""The active tokens, in memory, kept fresh: loaded at start, reloaded on NOTIFY `hotline_tokens`
and every `refresh_seconds` as a backstop. Verifying a token is a dictionary look-up of its
hash, so it costs nothing per request and never waits on the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg

from hotline.identity.roles import Principal, Role
from hotline.identity.tokens import CHANNEL, DDL, TABLE, digest
from hotline.waking import woken

log = logging.getLogger(__name__)


class Authenticator:
    def __init__(self, database_url: str, refresh_seconds: float = 5.0) -> None:
        self.database_url = database_url
        self.refresh_seconds = refresh_seconds
        self.loaded = False
        self._active: dict[str, Principal] = {}
        self._task: asyncio.Task | None = None

    def verify(self, token: str) -> Principal | None:
        return self._active.get(digest(token))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._follow(), name="tokens")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def ready(self) -> bool:
        return self.loaded

    async def _follow(self) -> None:
        """Keep the tokens fresh; a lost connection is opened again."""
        while True:
            try:
                await self._listen_and_reload()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: keep the tokens we have
                log.warning("cannot refresh tokens: %s", exc)
                await asyncio.sleep(1.0)

    async def _listen_and_reload(self) -> None:
        conn = await asyncpg.connect(self.database_url)
        try:
            for statement in DDL:
                with contextlib.suppress(asyncpg.UniqueViolationError, asyncpg.DuplicateObjectError,
                                         asyncpg.DuplicateTableError, asyncpg.DuplicateSchemaError):
                    await conn.execute(statement)
            changed = asyncio.Event()
            await conn.add_listener(CHANNEL, lambda *_: changed.set())
            while True:
                changed.clear()
                await self._reload(conn)
                await woken(changed, self.refresh_seconds)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _reload(self, conn: asyncpg.Connection) -> None:
        rows = await conn.fetch(f"SELECT name, role, hash, customer FROM {TABLE} WHERE revoked_at IS NULL")
        self._active = {r["hash"]: Principal(r["name"], Role(r["role"]), r["customer"]) for r in rows}
        self.loaded = True
