"""Where the integration tests' Neo4j and Redis come from, decided once per session.

- `external`: TIERGRAPH_NEO4J_URI is set (a stack from `docker compose up`, say) and
  TIERGRAPH_TEST_START_SERVICES is not 1: the tests use it and start only a worker.
- `containers`: a Docker engine answers: testcontainers starts Neo4j, Redis and the audit
  store from the images docker-compose.yml runs, and the tests point at them.
- `local`: neither (as on machines without Docker): the project's own local stack on test
  ports, with its own data folder, so a running demo is left alone.
"""

import os
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlparse

NEO4J_IMAGE = "neo4j:5.26-community"  # the images of docker-compose.yml
REDIS_IMAGE = "redis:7"


def docker_answers() -> bool:
    """True when a Docker engine answers a ping (within two seconds)."""
    try:
        import docker

        return bool(docker.from_env(timeout=2).ping())
    except Exception:  # no SDK, no socket, no permission: no engine for us
        return False


def choose(environ: Mapping[str, str], engine: Callable[[], bool] = docker_answers) -> str:
    """`external`, `containers` or `local` (see the module's docstring)."""
    if "TIERGRAPH_NEO4J_URI" in environ and environ.get("TIERGRAPH_TEST_START_SERVICES") != "1":
        return "external"
    if environ.get("TIERGRAPH_TEST_START_SERVICES") != "1" and engine():
        return "containers"
    return "local"


def audit_acl_commands(acl_lines: list[str]) -> list[list[str]]:
    """The audit store's ACL file lines as ACL SETUSER commands, the default user last (it
    is the account that sends them, and the lines turn it off)."""
    commands = [["ACL", "SETUSER", *line.split()[1:]] for line in acl_lines]
    return sorted(commands, key=lambda c: c[2] == "default")


def start_containers() -> tuple[list[Any], dict[str, str]]:
    """Start Neo4j, Redis and the audit store in containers; returns them (to stop at the
    end) and the TIERGRAPH_* settings that point at them."""
    from testcontainers.community.neo4j import Neo4jContainer
    from testcontainers.community.redis import RedisContainer

    from graph.audit import seals
    from graph.settings import get_settings

    settings = get_settings()
    password = settings.neo4j_password.get_secret_value()
    neo4j = Neo4jContainer(NEO4J_IMAGE, password=password).start()
    queue = RedisContainer(REDIS_IMAGE).start()
    audit = RedisContainer(REDIS_IMAGE).with_command(
        "redis-server --appendonly yes --appendfsync always").start()
    for command in audit_acl_commands(seals.acl_lines(settings)):
        audit.get_client().execute_command(*command)
    account = urlparse(settings.audit_store_url)

    def address(container: Any) -> str:
        return f"{container.get_container_host_ip()}:{container.get_exposed_port(6379)}"

    env = {
        "TIERGRAPH_NEO4J_URI": neo4j.get_connection_url(),
        "TIERGRAPH_NEO4J_USER": "neo4j",
        "TIERGRAPH_REDIS_URL": f"redis://{address(queue)}/0",
        "TIERGRAPH_AUDIT_STORE_URL":
            f"redis://{account.username}:{account.password}@{address(audit)}/0",
    }
    return [neo4j, queue, audit], env


def point_at(env: dict[str, str]) -> None:
    """Make this process (and the worker it starts) use these settings from now on."""
    from graph import db, redis_clients
    from graph.settings import get_settings

    os.environ.update(env)
    db.close_driver()
    get_settings.cache_clear()
    redis_clients.forget()
