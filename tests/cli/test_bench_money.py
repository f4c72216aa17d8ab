"""The money benchmark's CPU accounting (bench/money.py) against the real Neo4j process:
its per-thread split adds up to the process's own CPU, and queries show up as the query
workers' time."""

import pytest

from bench.money import cpu_by_service, neo4j_threads
from cli import stack
from graph import db
from graph.settings import get_settings
from tests.conftest import EXTERNAL


@pytest.mark.skipif(EXTERNAL, reason="reads the local Neo4j process's /proc")
def test_neo4j_cpu_split_by_thread_kind_covers_the_process(graph):
    paths = stack.Paths(get_settings().data_dir)
    before = neo4j_threads(paths)
    assert set(before) == {"query workers", "JIT compilers", "garbage collector", "other threads"}
    for _ in range(300):
        db.read_query("admin.ping")
    after = neo4j_threads(paths)
    assert after["query workers"] > before["query workers"]  # the pings ran on Bolt threads
    assert all(after[kind] >= before[kind] for kind in after)
    # The threads alive now account for the process's CPU, less what threads that have
    # ended used (the kernel keeps that only in the process's total).
    process = cpu_by_service(paths)["neo4j"]
    assert 0.5 * process <= sum(after.values()) <= process + 0.05
