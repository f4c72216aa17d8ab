"""One domain error, one handler: whatever graph/ refuses reaches the caller as
application/problem+json without a router translating it."""

import ast
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import errors
from graph.errors import DomainError, conflict, not_found, refused

ROUTERS = Path(__file__).resolve().parents[2] / "api" / "routers"


def app_raising(error: Exception) -> TestClient:
    app = FastAPI()
    errors.install(app)

    @app.get("/boom")
    def boom() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


def test_a_domain_error_is_rendered_as_a_problem_with_its_extra_members():
    answer = app_raising(refused("insufficient_balance", "1,000 cents available")).get("/boom")
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json() == {
        "type": "https://tiergraph.dev/problems/insufficient-balance",
        "title": "Unprocessable content", "status": 422,
        "detail": "1,000 cents available", "reason": "insufficient_balance"}


def test_status_and_headers_come_from_the_error():
    limited = DomainError("rate-limited", "slow down", 429, headers={"Retry-After": "7"})
    answer = app_raising(limited).get("/boom")
    assert (answer.status_code, answer.headers["retry-after"]) == (429, "7")
    assert answer.json()["type"].endswith("/rate-limited")


def test_the_shorthands_name_their_status():
    assert (not_found("ring 'r1'").status, not_found("ring 'r1'").detail) == (404, "no ring 'r1'")
    assert (conflict("decided").status, conflict("decided").kind) == (409, "conflict")


def test_anything_else_is_a_500_problem_that_says_nothing_inside():
    answer = app_raising(RuntimeError("secret path /etc")).get("/boom")
    assert answer.status_code == 500
    assert "secret" not in answer.text and answer.json()["type"].endswith("/internal")


def test_routers_translate_no_errors():
    # Routers raise; the handler renders. A try/except in a router is a second error path.
    for path in sorted(ROUTERS.glob("*.py")):
        tries = [n.lineno for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Try)]
        assert tries == [], f"{path.name} catches errors at lines {tries}"


def test_a_transaction_failing_past_the_driver_retries_is_a_503_to_retry():
    from neo4j.exceptions import TransientError

    deadlock = TransientError("Deadlock detected while trying to acquire locks")
    answer = app_raising(deadlock).get("/boom")
    assert answer.status_code == 503
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/database-busy")
    assert int(answer.headers["retry-after"]) > 0
