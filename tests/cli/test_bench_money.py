"""The money benchmark's CPU accounting (lab/bench/measure.py, lab/bench/money.py) against
the real Neo4j process: its per-thread split adds up to the process's own CPU, and queries
show up as the query workers' time."""

import pytest

from graph import db
from graph.ingest.batch import ingest_raw
from graph.settings import get_settings
from infra import stack
from lab.bench import mall
from lab.bench.measure import QueryThreadClock, cpu_by_service, neo4j_threads
from lab.bench.money import profile
from tests.conftest import NOT_LOCAL


@pytest.mark.skipif(NOT_LOCAL, reason="reads the local Neo4j process's /proc")
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


@pytest.mark.skipif(NOT_LOCAL, reason="reads the local Neo4j process's /proc")
def test_query_thread_clock_moves_with_queries(graph):
    clock = QueryThreadClock(stack.Paths(get_settings().data_dir))
    assert clock.files  # the Bolt threads were found
    before = clock()
    for _ in range(200):
        db.read_query("admin.ping")
    assert clock() > before


@pytest.mark.skipif(NOT_LOCAL, reason="reads the local Neo4j process's /proc")
def test_profile_charges_statements_with_neo4j_cpu(graph, ids):
    paths = stack.Paths(get_settings().data_dir)
    events, _ = mall.events(300, 200, 5)
    prefix = ids("")

    named = ("user_id", "invited_by", "order_id", "device_id", "payment_account",
             "shipping_address")

    def own(event):
        return {k: prefix + v if k in named else v for k, v in event.items()}

    mine = [own(e) for e in events]
    ingest_raw(mine[:300])
    phases = profile(mine[300:], paths)["shares"]
    for phase, statement in (("ingest", "events.write_orders"), ("compute", "rebates.create")):
        figures = phases[phase]
        server = figures["neo4j_query_workers_us"]
        assert server[statement] > 0
        assert figures["share_of_wall_pct"][statement] > 0
        # the statements and the transactions' begin and commit make up the whole
        assert sum(server.values()) == pytest.approx(
            figures["neo4j_query_workers_us_per_order"], abs=0.5 * len(server) + 1)
        # the query workers are part of the process, whose CPU is read in 10 ms ticks
        assert figures["neo4j_query_workers_us_per_order"] <= (
            figures["neo4j_cpu_us_per_order"] + 1e6 * 0.02 / 200)
    stored = db.read_query("rebates.for_orders", ids=[e["order_id"] for e in mine[300:]])
    assert len(stored) == 200 and all(row["computed"] for row in stored)
    assert sum(len(row["rebates"]) for row in stored) > 0


def test_machine_cpu_accounts_for_the_cores_over_a_wait():
    """Idle and stolen CPU are the machine's, summed over its cores: over a sleep of this
    process they grow, and by no more than the cores could have given in the time."""
    import os
    import time

    from lab.bench.measure import machine_cpu

    before, started = machine_cpu(), time.perf_counter()
    time.sleep(0.5)
    after, elapsed = machine_cpu(), time.perf_counter() - started
    assert set(after) == {"idle (all cores)", "stolen by the host (all cores)"}
    assert all(after[k] >= before[k] for k in after)
    cores = os.cpu_count() or 1
    grown = sum(after[k] - before[k] for k in after)
    assert grown <= cores * elapsed + 0.05  # clock ticks are 10 ms


def test_warm_up_goes_on_until_the_jit_settles(monkeypatch):
    """The warm-up's stopping rule (pure: the pipeline is replaced by one that reports a
    JIT share falling chunk after chunk): it stops after the first chunk under 5%."""
    from lab.bench import money

    shares = iter([0.40, 0.12, 0.06, 0.03, 0.02])
    sent: list[int] = []

    def fake_pipeline(api, chunk, clients, paths, progress, phase):
        sent.append(len(chunk))
        jit = next(shares)
        return [{"label": f"orders ({phase})", "per_s": 1.0}], {
            "neo4j": 10.0, "neo4j's JIT compilers": 10.0 * jit}

    monkeypatch.setattr(money, "pipeline", fake_pipeline)
    monkeypatch.setattr(money, "WARMUP_CHUNK", 10)
    rows = money.warm_up(None, [{}] * 100, 1, None, None)
    assert sent == [10, 10, 10, 10]  # 0.03 is the first share under 0.05
    labels = [row["label"] for row in rows]
    assert labels[0] == "orders (warm-up, fresh JVM)"
    assert labels[1] == "orders (warm-up, last chunk)"
    assert rows[-1]["per_s"] == 40 and "under 5%" in labels[-1]

    shares = iter([0.40, 0.30])
    sent.clear()
    rows = money.warm_up(None, [{}] * 20, 1, None, None)
    assert sent == [10, 10] and "still over 5%" in rows[-1]["label"]
