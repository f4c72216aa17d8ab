"""Test services: the real Neo4j, Redis and a Celery worker process.

Where Neo4j and Redis come from is decided once (tests/services.py): an external stack
when TIERGRAPH_NEO4J_URI is set, testcontainers when a Docker engine answers, else the
project's own local stack on test ports with its own data folder (.tiergraph/test), so a
running demo is left alone. TIERGRAPH_TEST_START_SERVICES=1 starts the local stack even
when those are set (a second test run beside the first, on other ports and another
TIERGRAPH_DATA_DIR). Services this session started are stopped at the end.
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import services as stack_choice

STACK = stack_choice.choose(os.environ)
NOT_LOCAL = STACK != "local"  # tests that stop and start local processes skip then
os.environ.setdefault("TIERGRAPH_DATA_DIR", ".tiergraph/test")
os.environ.setdefault("TIERGRAPH_NEO4J_URI", "bolt://127.0.0.1:7688")
os.environ.setdefault("TIERGRAPH_REDIS_URL", "redis://:test-redis-password@127.0.0.1:6380/0")
os.environ.setdefault("TIERGRAPH_AUDIT_STORE_URL",
                      "redis://tiergraph:test-audit-append@127.0.0.1:6391/0")
os.environ.setdefault("TIERGRAPH_AUDIT_ADMIN_PASSWORD", "test-audit-admin")
os.environ.setdefault("TIERGRAPH_NEO4J_HEAP", "768m")
os.environ.setdefault("TIERGRAPH_NEO4J_PAGECACHE", "256m")
os.environ.setdefault("TIERGRAPH_RATE_LIMIT_PER_MINUTE", "1000000")  # a test lowers it itself
os.environ.setdefault("TIERGRAPH_RATE_LIMIT_PER_ADDRESS_PER_MINUTE", "1000000")
# The webhook tests' receivers listen on 127.0.0.1; the worker started below inherits these,
# and retries come after a second rather than the production half minute.
os.environ.setdefault("TIERGRAPH_WEBHOOK_ALLOW_PRIVATE", "true")
os.environ.setdefault("TIERGRAPH_WEBHOOK_RETRY_BASE_SECONDS", "1")
os.environ.setdefault(
    "TIERGRAPH_API_KEYS",
    "admin:test-admin,admin:test-admin-2,mall:test-mall,risk:test-risk,compliance:test-compliance",
)

from graph.queries import queries  # noqa: E402
from graph.settings import get_settings  # noqa: E402

queries.include(Path(__file__).resolve().parent / "cypher")  # test-only queries: testing.*

KEYS = {"admin": "test-admin", "mall": "test-mall", "risk": "test-risk",
        "compliance": "test-compliance"}


def auth(role: str) -> dict[str, str]:
    """Authorization header of the test key of a role."""
    return {"Authorization": f"Bearer {KEYS[role]}"}


@pytest.fixture(scope="session")
def services() -> Iterator[None]:
    """Neo4j, Redis (schema applied) and one Celery worker, for the whole session."""
    from graph import db
    from infra import stack

    containers: list[Any] = []
    if STACK == "containers":
        containers, env = stack_choice.start_containers()
        stack_choice.point_at(env)
    settings = get_settings()
    paths = stack.Paths(settings.data_dir)
    started: list[str] = []
    wanted = ("neo4j", "redis", "audit", "worker") if STACK == "local" else ("worker",)
    for name in wanted:
        if stack.running_pid(paths, name) is None:
            started.append(name)
    stack.up(settings, wanted, say=lambda m: print(m))
    if STACK == "containers":
        db.apply_schema()
    if STACK != "external":  # the test stack is ours alone: start every session from an empty graph
        from graph.rules.book import ensure_default_rule

        db.reset_database()
        ensure_default_rule()
    yield
    db.close_driver()
    for name in reversed(started):
        stack.stop_service(paths, name)
    for container in containers:
        container.stop()


@pytest.fixture
def graph(services: None) -> None:
    """The real graph (shared by tests; each test makes its own ids)."""


@pytest.fixture
def clean_graph(services: None) -> None:
    """An empty graph (schema and default rule kept), for tests that read it whole."""
    from graph import db
    from graph.rules.book import ensure_default_rule

    db.reset_database()
    ensure_default_rule()


@pytest.fixture
def client(services: None) -> Iterator[Any]:
    """The FastAPI app in-process, talking to the real Neo4j and Redis."""
    from fastapi.testclient import TestClient

    from api.main import app

    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def ids() -> Callable[[str], str]:
    """Unique ids for one test: ids("u1") -> "t3f9a1-u1"."""
    prefix = uuid.uuid4().hex[:8]
    return lambda name: f"t{prefix}-{name}"
