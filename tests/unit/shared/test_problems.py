"""Every refusal has one shape, the framework's own included: a body FastAPI cannot parse (it
answers `400 "There was an error parsing the body"`), an unknown path, a wrong method."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

from hotline import problems


def client() -> TestClient:
    app = FastAPI()

    @app.post("/parse")
    def unparseable() -> None:
        raise HTTPException(400, "There was an error parsing the body")  # as FastAPI raises it

    @app.post("/ours")
    def ours() -> None:
        raise problems.refusal(409, "closed", "the ticket is closed")

    problems.install(app)
    return TestClient(app)


def test_the_framework_s_refusals_come_in_the_one_shape():
    c = client()
    assert c.post("/parse").json() == {"detail": {"reason": "malformed_body",
                                                  "detail": "There was an error parsing the body"}}
    assert c.get("/nowhere").json() == {"detail": {"reason": "not_found", "detail": "Not Found"}}
    wrong = c.get("/ours")
    assert wrong.status_code == 405 and wrong.json()["detail"]["reason"] == "method_not_allowed"
    assert "allow" in wrong.headers


def test_our_refusals_are_left_as_they_are():
    answer = client().post("/ours")
    assert answer.status_code == 409
    assert answer.json() == {"detail": {"reason": "closed", "detail": "the ticket is closed"}}
