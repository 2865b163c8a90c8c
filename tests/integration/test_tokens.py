"""Tokens on the real PostgreSQL: created hashed, listed, revoked; a service's authenticator
sees a new token and a revocation within moments (NOTIFY), not at its next poll."""

from __future__ import annotations

import asyncio

import psycopg
import pytest

from hotline.identity import Role
from hotline.identity.authenticator import Authenticator
from hotline.identity.tokens import TokenError, TokenStore, digest

pytestmark = pytest.mark.integration


async def eventually(predicate, timeout: float = 2.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)


async def test_tokens_are_stored_hashed_and_revocation_reaches_services_at_once(infra):
    store = TokenStore(infra.database_url)
    authenticator = Authenticator(infra.database_url, refresh_seconds=60)  # the poll never comes
    await authenticator.start()
    try:
        await eventually(lambda: authenticator.loaded)
        token = await asyncio.to_thread(store.create, "it-noc", "auditor", "tests")
        assert token.startswith("hlt_") and len(token) > 40
        await eventually(lambda: authenticator.verify(token) is not None)
        assert authenticator.verify(token).role is Role.AUDITOR
        with psycopg.connect(infra.database_url) as conn:
            stored = conn.execute("SELECT hash FROM hotline_identity.tokens WHERE name = 'it-noc'").fetchone()
        assert stored[0] == digest(token) and token not in stored[0]

        with pytest.raises(TokenError, match="already named"):
            await asyncio.to_thread(store.create, "it-noc", "agent", "tests")
        await asyncio.to_thread(store.revoke, "it-noc")
        await eventually(lambda: authenticator.verify(token) is None)
        with pytest.raises(TokenError, match="no active token"):
            await asyncio.to_thread(store.revoke, "it-noc")
        again = await asyncio.to_thread(store.create, "it-noc", "agent", "tests")  # a name is reusable
        listed = [t for t in await asyncio.to_thread(store.list) if t.name == "it-noc"]
        assert [(t.role, t.revoked_at is None) for t in listed] == [("auditor", False), ("agent", True)]
        await eventually(lambda: authenticator.verify(again) is not None)
    finally:
        await authenticator.stop()


def test_an_unknown_role_or_empty_name_is_refused(infra):
    store = TokenStore(infra.database_url)
    with pytest.raises(TokenError, match="unknown role"):
        store.create("x", "root", "tests")
    with pytest.raises(TokenError, match="name"):
        store.create(" ", "agent", "tests")


async def test_a_customer_token_is_scoped_to_its_one_customer(infra):
    store = TokenStore(infra.database_url)
    with pytest.raises(TokenError, match="names its customer"):
        store.create("it-portal-a", "customer", "tests")
    with pytest.raises(TokenError, match="names its customer"):
        store.create("it-portal-b", "agent", "tests", customer="Acme Corp")
    authenticator = Authenticator(infra.database_url, refresh_seconds=60)
    await authenticator.start()
    try:
        token = await asyncio.to_thread(store.replace, "it-portal", "customer", "tests", "Acme Corp")
        await eventually(lambda: authenticator.verify(token) is not None)
        principal = authenticator.verify(token)
        assert (principal.role, principal.customer) == (Role.CUSTOMER, "Acme Corp")
        assert [t.customer for t in store.list() if t.name == "it-portal" and t.revoked_at is None] == ["Acme Corp"]
    finally:
        await authenticator.stop()
        store.revoke("it-portal")
