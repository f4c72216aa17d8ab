"""The one Neo4j driver of a process, and the helpers every repository uses.

Beside it, an async driver per event loop for the API's hot reads (`read_query_async`):
opened and closed by the API's lifespan on its loop, so a read awaits the socket on the
loop instead of hopping to a thread for the sync driver.
"""

import asyncio
import random
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from neo4j import (
    READ_ACCESS,
    AsyncDriver,
    AsyncGraphDatabase,
    Driver,
    GraphDatabase,
    ManagedTransaction,
    Query,
)
from neo4j.exceptions import (
    Neo4jError,
    ResultFailedError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from graph import redis_clients
from graph.audit import seals
from graph.queries import queries
from graph.settings import get_settings

T = TypeVar("T")
# Called after every committed write transaction (graph/audit/trail.py seals its new entries here).
_after_commit: list[Callable[[], None]] = []
# Called after reset_database, in the process that reset (graph/users/invites.py drops its
# cached uplines here; other processes hear of it through redis_clients.uplines_changed).
_after_reset: list[Callable[[], None]] = []
# The async drivers by the event loop they were opened on (open_async_driver).
_async_drivers: dict[asyncio.AbstractEventLoop, AsyncDriver] = {}


def after_commit(hook: Callable[[], None]) -> None:
    """Register `hook` to run after each write transaction of `write` has committed."""
    if hook not in _after_commit:
        _after_commit.append(hook)


def after_reset(hook: Callable[[], None]) -> None:
    """Register `hook` to run after `reset_database` has emptied the graph."""
    if hook not in _after_reset:
        _after_reset.append(hook)


def _driver_options() -> dict[str, Any]:
    s = get_settings()
    return {
        "auth": (s.neo4j_user, s.neo4j_password.get_secret_value()),
        "max_connection_pool_size": 50,
        "notifications_min_severity": "OFF",
        # Deadlock retries start at 50 ms, not the default 1 s that idled a worker
        # (docs/design.md, "Stack: Neo4j from Python"; a WorkspaceConfig key of driver 6.4).
        "initial_retry_delay": 0.05,
    }


@lru_cache
def get_driver() -> Driver:
    """The process-wide driver, built from settings on first use."""
    return GraphDatabase.driver(get_settings().neo4j_uri, **_driver_options())


async def open_async_driver() -> None:
    """Open the async driver of the running event loop (the API's lifespan, at start)."""
    loop = asyncio.get_running_loop()
    if loop not in _async_drivers:
        _async_drivers[loop] = AsyncGraphDatabase.driver(get_settings().neo4j_uri,
                                                         **_driver_options())


async def close_async_driver() -> None:
    """Close the running event loop's async driver (the API's lifespan, at shutdown)."""
    driver = _async_drivers.pop(asyncio.get_running_loop(), None)
    if driver is not None:
        await driver.close()


async def read_query_async(name: str, **params: Any) -> list[dict[str, Any]]:
    """`read_query` awaited on the event loop through its async driver, retried once the
    same way. A loop that opened none (a test client without its lifespan) runs the sync
    `read_query` in a thread instead: the same rows either way."""
    driver = _async_drivers.get(asyncio.get_running_loop())
    if driver is None:
        return await asyncio.to_thread(read_query, name, **params)
    database = get_settings().neo4j_database
    for attempt in (1, 2):
        try:
            async with driver.session(database=database,
                                      default_access_mode=READ_ACCESS) as session:
                result = await session.run(queries[name], parameters(params))
                return await result.data()
        except (ServiceUnavailable, SessionExpired, TransientError):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def close_driver() -> None:
    """Close the process driver (at shutdown, or when tests switch settings)."""
    if get_driver.cache_info().currsize:
        get_driver().close()
        get_driver.cache_clear()


def to_native(value: Any) -> Any:
    """A driver temporal value as its Python equivalent; anything else unchanged."""
    return value.to_native() if hasattr(value, "to_native") else value


class Batch(list):  # type: ignore[type-arg]
    """A list parameter that shows only its length when printed.

    The driver formats every RUN's parameters for its debug log whether or not that level is
    on; a Batch keeps that cheap and keeps rows out of the log (docs/design.md, "Stack: Neo4j
    from Python"). The driver packs it as the list it is.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


def parameters(params: dict[str, Any]) -> dict[str, Any]:
    """`params` with each list value as a `Batch` (a shallow copy: the items are shared)."""
    return {key: Batch(value) if type(value) is list else value for key, value in params.items()}


def run(tx: ManagedTransaction, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run the named query inside a transaction and return its rows as plain dicts."""
    result = tx.run(queries[name], parameters(params))
    return [record.data() for record in result]


def run_rows(tx: ManagedTransaction, name: str, **params: Any) -> list[dict[str, Any]]:
    """Run a named query that answers in one row, its `rows` column collecting every
    answer, and return that list as the driver built it.

    One record and no `Record.data()` pass: the driver's per-record work is costly on batch
    queries. The query must return plain values (no nodes, no temporals).
    """
    return tx.run(queries[name], parameters(params)).single(strict=True)["rows"]


# A deadlock met while a result streams is raised by the driver as ResultFailedError (its
# rollback reads the failed result again), which the driver does not retry: these retries
# take over, then give up with the deadlock itself (the API answers it 503 database-busy).
STREAM_RETRIES = 8
STREAM_BACKOFF_S = 0.05  # doubled each retry, with jitter


def _managed(run: Callable[[], T]) -> T:
    for attempt in range(STREAM_RETRIES + 1):
        try:
            return run()
        except ResultFailedError as failed:
            cause = failed.__cause__
            if not isinstance(cause, Neo4jError) or not cause.is_retryable():
                raise
            if attempt == STREAM_RETRIES:
                raise cause from failed
            time.sleep(STREAM_BACKOFF_S * 2 ** attempt * (0.5 + random.random()))
    raise AssertionError("unreachable")


def read(work: Callable[[ManagedTransaction], T]) -> T:
    """Run `work` in a managed read transaction (retried on transient errors)."""
    def run() -> T:
        with get_driver().session(database=get_settings().neo4j_database) as session:
            return session.execute_read(work)
    return _managed(run)


def write(work: Callable[[ManagedTransaction], T]) -> T:
    """Run `work` in a managed write transaction (retried on transient errors)."""
    def run() -> T:
        with get_driver().session(database=get_settings().neo4j_database) as session:
            return session.execute_write(work)
    result = _managed(run)
    for hook in _after_commit:
        hook()
    return result


def read_query(name: str, **params: Any) -> list[dict[str, Any]]:
    """Run one named read query as an auto-commit transaction, retried once when the
    connection or the server hiccups.

    A single read needs no explicit transaction: auto-commit sends RUN+PULL in one round
    trip where a managed one adds BEGIN and COMMIT.
    """
    return _auto_read(name, params, lambda result: result.data())


def read_rows(name: str, **params: Any) -> list[dict[str, Any]]:
    """`run_rows` as one auto-commit read (see read_query)."""
    return _auto_read(name, params, lambda result: result.single(strict=True)["rows"])


def _auto_read(name: str, params: dict[str, Any], take: Callable[[Any], T]) -> T:
    settings = get_settings()
    for attempt in (1, 2):
        try:
            with get_driver().session(database=settings.neo4j_database,
                                      default_access_mode=READ_ACCESS) as session:
                return take(session.run(queries[name], parameters(params)))
        except (ServiceUnavailable, SessionExpired, TransientError):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def write_query(name: str, **params: Any) -> list[dict[str, Any]]:
    """Run one named write query in its own transaction."""
    return write(lambda tx: run(tx, name, **params))


def apply_schema() -> int:
    """Apply every cypher/schema/*.cypher statement (all IF NOT EXISTS); returns the count."""
    count = 0
    with get_driver().session(database=get_settings().neo4j_database) as session:
        for name in queries.names():
            if not name.startswith("schema."):
                continue
            for statement in queries.statements(name):
                _schema_statement(session, statement)
                count += 1
        session.run(Query(queries["admin.await_indexes"])).consume()
    migrate()
    return count


def _schema_statement(session: Any, statement: str, attempts: int = 8) -> None:
    """Run one schema statement, again when Neo4j calls it a deadlock: the API's processes
    start together and each applies the schema, so two may create the same new constraint
    at once. Every statement is IF NOT EXISTS, so the one that loses finds it made."""
    for attempt in range(attempts):
        try:
            session.run(Query(statement)).consume()
            return
        except TransientError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * 2 ** attempt)


# Data migrations run at start-up after the schema, each a query that converts up to
# $limit records and returns how many it converted: run until one converts none. A graph
# written by this version has nothing to convert, so each costs one empty query then.
MIGRATIONS = ("ledger.migrate_legs",)


def migrate(limit: int = 10_000) -> dict[str, int]:
    """Run every data migration to completion; returns how many records each converted."""
    done = {}
    for name in MIGRATIONS:
        done[name] = 0
        while True:
            moved = write_query(name, limit=limit)[0]["migrated"]
            done[name] += moved
            if moved < limit:
                break
    return done


def reset_database(batch: int = 10_000) -> int:
    """Delete every node and relationship in batches, and the sealed audit log with the
    entries it seals; returns the number of nodes deleted. Every process's cached
    uplines are dropped after (redis_clients.uplines_changed): the ids may come back."""
    seals.reset()
    total = 0
    while True:
        deleted = write_query("admin.reset_batch", limit=batch)[0]["deleted"]
        total += deleted
        if deleted < batch:
            break
    redis_clients.uplines_changed()
    for hook in _after_reset:
        hook()
    return total


def ping() -> bool:
    """True when Neo4j answers a trivial query."""
    try:
        get_driver().verify_connectivity()
        return True
    except Exception:
        return False
