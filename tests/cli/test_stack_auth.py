"""The local stack's credentials, against real processes: Neo4j starts with auth on (a new
store takes TIERGRAPH_NEO4J_PASSWORD, a store made with auth off is migrated and keeps its
data), and Redis requires the password its URL carries, or none when it carries none.

Each test runs its own Neo4j or Redis on a free port under its own data folder; the Neo4j
ones borrow the session stack's jars."""

import socket
from pathlib import Path

import pytest
import redis

from graph.settings import Settings, get_settings
from infra import stack, stack_auth
from tests.conftest import NOT_LOCAL

PASSWORD = "stack-auth-test-password"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def neo4j_settings(data: Path, user: str = "neo4j", password: str = PASSWORD) -> Settings:
    return Settings(data_dir=data, neo4j_uri=f"bolt://127.0.0.1:{free_port()}", neo4j_user=user,
                    neo4j_password=password, neo4j_heap="512m", neo4j_pagecache="64m")


def borrow_jars(paths: stack.Paths) -> None:
    """The session stack's Neo4j jars, linked rather than fetched again."""
    paths.neo4j_lib.parent.mkdir(parents=True)
    paths.neo4j_lib.symlink_to(stack.Paths(get_settings().data_dir).neo4j_lib.resolve())


def home_with_auth_off(settings: Settings, paths: stack.Paths) -> None:
    """The Neo4j home as the stack set it up before Neo4j had auth on: its folders, and
    neo4j.conf as written then."""
    for sub in ("conf", "data", "logs", "run", "plugins"):
        (paths.neo4j_home / sub).mkdir(parents=True, exist_ok=True)
    conf = stack._neo4j_conf(settings, paths).replace("dbms.security.auth_enabled=true",
                                                      "dbms.security.auth_enabled=false")
    (paths.neo4j_home / "conf" / "neo4j.conf").write_text(conf)


def query(settings: Settings, password: str, cypher: str) -> list:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(settings.neo4j_uri, auth=(settings.neo4j_user, password)) as d:
        return [r.data() for r in d.execute_query(cypher).records]


@pytest.mark.skipif(NOT_LOCAL, reason="starts Neo4j from the local stack's jars")
def test_a_new_store_takes_the_configured_user_and_password(services, tmp_path):
    settings = neo4j_settings(tmp_path, user="tiergraph")
    paths = stack.Paths(tmp_path)
    borrow_jars(paths)
    said: list[str] = []
    try:
        stack.start_neo4j(settings, paths, say=said.append)
        assert any("setting the Neo4j password of 'tiergraph'" in m for m in said), said
        assert query(settings, PASSWORD, "RETURN 1 AS one") == [{"one": 1}]
        state = stack_auth.bolt_state
        assert state(settings.neo4j_uri, "neo4j", PASSWORD) == "ok"
        assert state(settings.neo4j_uri, "tiergraph", "not-the-password") == "refused"
        assert state(settings.neo4j_uri, "neo4j", "neo4j") == "refused"  # initial one gone
        assert "dbms.security.auth_enabled=true" in \
            (paths.neo4j_home / "conf" / "neo4j.conf").read_text()
    finally:
        stack.stop_service(paths, "neo4j")


@pytest.mark.skipif(NOT_LOCAL, reason="starts Neo4j from the local stack's jars")
def test_a_store_made_with_auth_off_is_migrated_and_keeps_its_data(services, tmp_path):
    settings = neo4j_settings(tmp_path)
    paths = stack.Paths(tmp_path)
    borrow_jars(paths)
    home_with_auth_off(settings, paths)
    try:
        stack.run_neo4j(settings, paths, say=lambda _: None)  # on the conf as it is
        # auth off: any credentials do
        query(settings, "anything", "CREATE (:Kept {id: 'before-auth'})")
        stack.stop_service(paths, "neo4j")

        # the stack as it is now: its conf written at the start, auth on
        said: list[str] = []
        stack.start_neo4j(settings, paths, say=said.append)
        assert any("made while the local Neo4j ran with auth off" in m for m in said), said
        assert query(settings, PASSWORD, "MATCH (k:Kept) RETURN k.id AS id") == \
            [{"id": "before-auth"}]
        assert stack_auth.bolt_state(settings.neo4j_uri, "neo4j", "anything") == "refused"

        # Started again (already running) with another password: said plainly, no change.
        other = neo4j_settings(tmp_path, password="another-password")
        other = other.model_copy(update={"neo4j_uri": settings.neo4j_uri})
        with pytest.raises(stack.StackError, match="refuses TIERGRAPH_NEO4J_USER"):
            stack.start_neo4j(other, paths, say=lambda _: None)
    finally:
        stack.stop_service(paths, "neo4j")


def redis_settings(data: Path, url: str) -> tuple[Settings, stack.Paths]:
    return Settings(data_dir=data, redis_url=url), stack.Paths(data)


def refuses(url: str) -> bool:
    try:
        redis.Redis.from_url(url, socket_timeout=2).ping()
    except (redis.AuthenticationError, redis.ResponseError):
        return True
    return False


def test_redis_requires_the_password_its_url_carries(tmp_path):
    port = free_port()
    settings, paths = redis_settings(tmp_path, f"redis://:{PASSWORD}@127.0.0.1:{port}/0")
    try:
        stack.start_redis(settings, paths, say=lambda _: None)
        assert redis.Redis.from_url(settings.redis_url).ping()
        assert refuses(f"redis://127.0.0.1:{port}/0")
        assert refuses(f"redis://:wrong-password@127.0.0.1:{port}/0")
        conf = tmp_path / "redis" / "redis.conf"
        assert conf.stat().st_mode & 0o777 == 0o600
        assert PASSWORD not in conf.read_text()  # its sha256 only
        assert PASSWORD not in (paths.logfile("redis")).read_text()
    finally:
        stack.stop_service(paths, "redis")


def test_a_user_in_the_url_is_the_one_account_and_default_is_off(tmp_path):
    port = free_port()
    settings, paths = redis_settings(tmp_path, f"redis://queue:{PASSWORD}@127.0.0.1:{port}/0")
    try:
        stack.start_redis(settings, paths, say=lambda _: None)
        assert redis.Redis.from_url(settings.redis_url).ping()
        assert refuses(f"redis://:{PASSWORD}@127.0.0.1:{port}/0")  # as the default user
        assert refuses(f"redis://127.0.0.1:{port}/0")
    finally:
        stack.stop_service(paths, "redis")


def test_a_url_without_a_password_keeps_working_without_one(tmp_path):
    port = free_port()
    settings, paths = redis_settings(tmp_path, f"redis://127.0.0.1:{port}/0")
    try:
        stack.start_redis(settings, paths, say=lambda _: None)
        assert redis.Redis.from_url(settings.redis_url).ping()
        assert "user " not in (tmp_path / "redis" / "redis.conf").read_text()

        # The URL gains a password while this Redis runs without one: it still answers (a
        # Redis without a password takes any), and `up` says to restart it to require one.
        gained, _ = redis_settings(tmp_path, f"redis://:{PASSWORD}@127.0.0.1:{port}/0")
        said: list[str] = []
        stack.start_redis(gained, paths, say=said.append)
        assert redis.Redis.from_url(gained.redis_url).ping()
        [warning] = said
        assert "answers without a password" in warning and "tiergraph down" in warning
        assert PASSWORD not in warning
    finally:
        stack.stop_service(paths, "redis")


def test_the_worker_reads_the_same_password_protected_url(services):
    """The session's Redis requires the password of TIERGRAPH_REDIS_URL when it carries one
    (the tests' default does), and the Celery worker answers through it."""
    from workers.app import app

    url = get_settings().redis_url
    if stack_auth.redis_acl_lines(url):
        parts = url.split("@", 1)
        assert refuses("redis://" + parts[1])
    # a ping sent before the worker listens is lost: ask again until it answers
    assert any(app.control.ping(timeout=2) for _ in range(30))
