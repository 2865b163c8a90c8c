"""The token guard in front of a FastAPI app: 401 without a valid token, 403 for a role without
the route's permission, the caller handed on, the public routes open, and an unmarked route
closed to all but admins (writes) or readers of everything (reads)."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient

from hotline.identity import Principal, Role, guard, requires
from hotline.identity.tokens import digest


class Tokens:
    """The authenticator's interface, with a fixed set of tokens."""

    def __init__(self, **roles: str) -> None:
        self.by_hash = {digest(f"token-{role}"): Principal(f"t-{role}", Role(role)) for role in roles.values()}

    def verify(self, token: str) -> Principal | None:
        return self.by_hash.get(digest(token))


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()

    @app.post("/tickets")
    @requires("tickets:write")
    async def open_ticket(request: Request) -> dict:
        return guard.actor(request)

    @app.get("/tickets/{number}")
    @requires("tickets:read")
    async def read_ticket(number: str) -> dict:
        return {"number": number}

    @app.get("/unmarked")
    async def unmarked_read() -> dict:
        return {}

    @app.post("/unmarked")
    async def unmarked_write() -> dict:
        return {}

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    router = APIRouter(prefix="/included")

    @router.post("/tickets")
    @requires("tickets:write")
    async def included_write() -> dict:
        return {}

    app.include_router(router)
    guard.install(app, Tokens(a="agent", b="auditor", c="admin", d="reviewer"))  # type: ignore[arg-type]
    return TestClient(app)


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer token-{role}"}


def test_no_token_or_an_unknown_one_is_401_with_a_reason(client):
    missing = client.post("/tickets")
    assert missing.status_code == 401 and missing.json()["detail"]["reason"] == "missing_token"
    assert missing.headers["www-authenticate"] == "Bearer"
    unknown = client.get("/tickets/T-000001", headers={"Authorization": "Bearer nope"})
    assert unknown.status_code == 401 and unknown.json()["detail"]["reason"] == "invalid_token"
    assert client.get("/tickets/T-000001", headers={"Authorization": "Basic x"}).status_code == 401


@pytest.mark.parametrize(("role", "method", "path", "status"), [
    ("agent", "post", "/tickets", 200), ("reviewer", "post", "/tickets", 200),
    ("auditor", "post", "/tickets", 403), ("admin", "post", "/tickets", 200),
    ("auditor", "get", "/tickets/T-000001", 200), ("agent", "get", "/tickets/T-000001", 200),
    ("agent", "get", "/unmarked", 403), ("auditor", "get", "/unmarked", 200),
    ("auditor", "post", "/unmarked", 403), ("admin", "post", "/unmarked", 200),
    ("agent", "post", "/included/tickets", 200), ("auditor", "post", "/included/tickets", 403),
])
def test_each_role_gets_what_the_route_needs(client, role, method, path, status):
    response = getattr(client, method)(path, headers=bearer(role))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["detail"]["reason"] == "forbidden"
        assert role in response.json()["detail"]["detail"]


def test_the_caller_is_handed_on_as_the_actor(client):
    assert client.post("/tickets", headers=bearer("agent")).json() == {"name": "t-agent", "role": "agent"}


def test_the_probes_and_the_openapi_document_are_public_and_say_a_token_is_needed(client):
    assert client.get("/healthz").status_code == 200
    document = client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    operation = document["paths"]["/tickets"]["post"]
    assert operation["security"] == [{"bearer": []}] and {"401", "403"} <= set(operation["responses"])
    assert "security" not in document["paths"]["/healthz"]["get"]


def test_an_unknown_path_needs_a_token_and_then_is_404(client):
    assert client.get("/nowhere").status_code == 401
    assert client.get("/nowhere", headers=bearer("agent")).status_code == 404
