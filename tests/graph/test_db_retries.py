"""Deadlocks are retried (graph/db.py): two writes locking two nodes in opposite orders in
the real Neo4j both complete; and the retry of a failure the driver raises mid-stream, which
it does not retry itself (pure)."""

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from neo4j.exceptions import Neo4jError, ResultFailedError, TransientError

from graph import db


def test_a_deadlock_between_two_writes_is_retried_until_both_complete(services, ids):
    first, second = ids("a"), ids("b")
    for probe in (first, second):
        db.write_query("testing.make_probe", id=probe)
    meet = threading.Barrier(2)
    attempts: Counter[str] = Counter()
    done: dict[str, Any] = {}

    def locker(name: str, one: str, other: str) -> None:
        def work(tx: Any) -> str:
            attempts[name] += 1
            db.run(tx, "testing.lock_probe", id=one)
            if attempts[name] == 1:
                meet.wait(timeout=30)  # both hold their first node: the next lock deadlocks
            db.run(tx, "testing.lock_probe", id=other)
            return name

        try:
            done[name] = db.write(work)
        except Exception as error:  # the test reports it below
            done[name] = error

    threads = [threading.Thread(target=locker, args=("x", first, second)),
               threading.Thread(target=locker, args=("y", second, first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert done == {"x": "x", "y": "y"}
    assert sum(attempts.values()) >= 3  # one of them ran again


def stream_failure(code: str) -> ResultFailedError:
    """What the driver raises when a transaction it rolls back had a result fail mid-stream:
    ResultFailedError, the server's error as its cause."""
    failed = ResultFailedError(None, "the result has failed")
    failed.__cause__ = Neo4jError._hydrate_neo4j(code=code, message="from the server")
    return failed


def failing(times: int, code: str) -> Callable[[], str]:
    calls = {"n": 0}

    def run() -> str:
        calls["n"] += 1
        if calls["n"] <= times:
            raise stream_failure(code)
        return f"done after {calls['n']}"
    return run


def test_a_deadlock_raised_while_a_result_streams_is_retried(monkeypatch):
    monkeypatch.setattr(db, "STREAM_BACKOFF_S", 0.0)
    deadlock = "Neo.TransientError.Transaction.DeadlockDetected"
    assert db._managed(failing(3, deadlock)) == "done after 4"
    # past its retries it raises the deadlock itself, which the API answers 503
    with pytest.raises(TransientError):
        db._managed(failing(db.STREAM_RETRIES + 1, deadlock))


def test_a_failure_that_is_not_transient_is_raised_at_once():
    with pytest.raises(ResultFailedError):
        db._managed(failing(1, "Neo.ClientError.Statement.SyntaxError"))
