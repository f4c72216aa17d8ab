"""`tiergraph bench --suite money`: orders per second from POST /v1/events to stored
rebates through the worker, POST /v1/orders/{id}/payouts latency for computed orders,
settlement throughput, and the what-if simulation's speed. Own stack, like lab.bench.run."""

import itertools
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from graph import db
from graph.ingest.batch import ingest_raw
from graph.money import settlement
from graph.money.rebates import compute_rebates
from graph.rules.book import ensure_default_rule
from graph.rules.maths import Rule
from graph.rules.simulation import simulate
from infra import stack
from lab.bench import mall
from lab.bench.measure import QueryThreadClock, cpu_by_service, cpu_rows, measure, neo4j_threads
from lab.bench.stack import use_bench_stack


def run(users: int, orders: int, lookups: int, seed: int, keep: bool,
        say: Callable[[str], None], progress: Callable[..., Any],
        clients: int = 1, warmup: int = 200_000) -> dict[str, Any]:
    """Run the money suite on the bench stack: its rows, and the in-process profile."""
    settings = use_bench_stack()
    rows: list[dict[str, Any]] = []
    stack.up(settings, ("neo4j", "redis", "audit", "worker", "api"), say=say)
    api = httpx.Client(base_url=f"http://127.0.0.1:{settings.api_port}", timeout=120,
                       headers={"Authorization": "Bearer bench-mall"})
    try:
        say("emptying the bench graph")
        db.reset_database()
        ensure_default_rule()
        events, _ = mall.events(users, orders, seed)
        say(f"registering {users:,} users")
        for start in range(0, users, 5000):  # the users only: orders go through the API
            ingest_raw(events[start:min(start + 5000, users)])
        order_events = events[users:]
        paths = stack.Paths(settings.data_dir)

        # 0. Warm-up: the same pipeline on other orders of the same users, until the JVM has
        # compiled the order paths (reported apart): see warm_up.
        if warmup:
            extra, _ = mall.events(users, warmup, seed + 3)
            warm = [{**e, "order_id": "w" + e["order_id"]} for e in extra[users:]]
            rows.extend(warm_up(api, warm, clients, paths, progress))

        # 1. Orders through the API and the worker: first POST to last rebate stored.
        rows.extend(pipeline(api, order_events, clients, paths, progress, "sustained")[0])

        # 2. Payouts of orders already computed.
        rng = random.Random(seed)
        sample = [f"bo{rng.randrange(orders):07d}" for _ in range(lookups)]
        rows.append(measure("POST /v1/orders/{id}/payouts, already computed",
                            lambda o: api.post(f"/v1/orders/{o}/payouts").raise_for_status(),
                            sample, warmup=min(500, len(sample))))

        # 3. Settlement of everything: confirm, payable and credit each rebate.
        end = datetime.now(UTC) + timedelta(days=3650)
        started = time.perf_counter()
        moved = settlement.run(end, actor="bench", role="admin")
        elapsed = time.perf_counter() - started
        total_moves = moved["confirmed"] + moved["payable"] + moved["credited"]
        rows.append({"label": f"settlement: {moved['credited']:,} rebates credited "
                              "(status moves/s, 3 per rebate)",
                     "per_s": total_moves / elapsed, "seconds": elapsed})

        # 4. What-if over every order.
        draft = Rule(id="bench-draft", tiers=(1200, 600), created_at=datetime.now(UTC))
        started = time.perf_counter()
        result = simulate(draft, datetime(2000, 1, 1, tzinfo=UTC), end)
        elapsed = time.perf_counter() - started
        rows.append({"label": f"simulation over {result['orders']:,} orders (orders/s)",
                     "per_s": result["orders"] / elapsed, "seconds": elapsed})
        # 5. Where the time goes: the same ingest and computation in this process, one order
        # batch after another, with every Cypher statement timed.
        extra, _ = mall.events(users, min(orders, 20_000), seed + 7)
        profiled = [{**e, "order_id": "p" + e["order_id"]} for e in extra[users:]]
        results_profile = profile(profiled, paths)
        rows.extend(results_profile["rows"])
    finally:
        api.close()
        if not keep:
            db.close_driver()
            stack.down(settings, say=say)
    return {"rows": rows, "users": users, "orders": orders, "profile": results_profile["shares"]}


def pipeline(api: Any, order_events: list[dict[str, Any]], clients: int, paths: stack.Paths,
             progress: Callable[..., Any], phase: str
             ) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """POST `order_events` 1,000 a call and wait until the worker stored every rebate: the
    rows of the rates and of the CPU each process (and each kind of Neo4j thread) spent
    meanwhile, and those CPU seconds by name."""
    n = len(order_events)
    cpu_before, threads_before = cpu_by_service(paths), neo4j_threads(paths)
    calls = [order_events[start:start + 1000] for start in range(0, n, 1000)]
    with progress(f"orders to rebates ({phase})", n) as advance:
        started = time.perf_counter()
        post_all(api, calls, clients, advance)
        posted = time.perf_counter() - started
        wait_for_rebates(paths)
        elapsed = time.perf_counter() - started
    rows = [{"label": f"orders ({phase}, {n:,}): POST /v1/events, 1,000 a call, "
                      f"{clients} client(s) (events/s)", "per_s": n / posted, "seconds": posted},
            {"label": f"orders ({phase}, {n:,}): POST to rebates stored by the worker "
                      "(orders/s)", "per_s": n / elapsed, "seconds": elapsed}]
    used = {name: seconds - cpu_before.get(name, 0.0)
            for name, seconds in cpu_by_service(paths).items()}
    used |= {f"neo4j's {kind}": seconds - threads_before[kind]
             for kind, seconds in neo4j_threads(paths).items()}
    return rows + cpu_rows(f"orders ({phase})", used, elapsed, n, "order"), used


WARMUP_CHUNK = 20_000
JIT_SETTLED = 0.05  # the JIT compilers' share of Neo4j's CPU below which a JVM counts as warm


def warm_up(api: Any, order_events: list[dict[str, Any]], clients: int, paths: stack.Paths,
            progress: Callable[..., Any]) -> list[dict[str, Any]]:
    """Send `order_events` through the pipeline in chunks of WARMUP_CHUNK until a chunk in
    which the JIT compilers took under JIT_SETTLED of Neo4j's CPU (or the orders run out):
    the rows of the first chunk, on a fresh JVM, and of the last, and how many it took. A
    fixed warm-up ended while the compilers were still at work (docs/benchmarks.md)."""
    rows: list[dict[str, Any]] = []
    sent = 0
    for start in range(0, len(order_events), WARMUP_CHUNK):
        chunk = order_events[start:start + WARMUP_CHUNK]
        phase = "warm-up, fresh JVM" if start == 0 else "warm-up, last chunk"
        measured, cpu = pipeline(api, chunk, clients, paths, progress, phase)
        sent += len(chunk)
        if start == 0:
            rows.extend(measured)
        settled = cpu["neo4j's JIT compilers"] <= JIT_SETTLED * cpu["neo4j"]
        if settled or start + WARMUP_CHUNK >= len(order_events):
            if start:
                rows.extend(measured)
            rows.append({"label": f"warm-up: {sent:,} orders until the JIT compilers took "
                                  f"{'under' if settled else 'still over'} "
                                  f"{JIT_SETTLED:.0%} of Neo4j's CPU (orders)",
                         "per_s": sent})
            return rows
    return rows


def wait_for_rebates(paths: stack.Paths, stalled_after: float = 120.0) -> None:
    """Until the worker has computed every order; a clear error, not a hang, when nothing
    moves for `stalled_after` seconds (a lost task: the bench starts no beat to sweep it)."""
    left, moved_at = None, time.monotonic()
    while True:
        now_left = db.read_query("bench.uncomputed_orders")[0]["orders"]
        if now_left == 0:
            return
        if now_left != left:
            left, moved_at = now_left, time.monotonic()
        elif time.monotonic() - moved_at > stalled_after:
            raise RuntimeError(f"{now_left} orders still uncomputed after {stalled_after:.0f} s "
                               f"without progress; see {paths.logfile('worker')}")
        time.sleep(0.2)


def post_all(api: Any, calls: list[list[dict[str, Any]]], clients: int,
             advance: Callable[[int], None]) -> None:
    """POST every batch to /v1/events from `clients` threads, each taking the next batch."""
    upcoming = iter(calls)
    lock = threading.Lock()
    done = itertools.count(1)
    failures: list[BaseException] = []

    def client() -> None:
        try:
            with httpx.Client(base_url=api.base_url, headers=api.headers, timeout=120) as own:
                while not failures:
                    with lock:
                        batch = next(upcoming, None)
                    if batch is None:
                        return
                    own.post("/v1/events", json=batch).raise_for_status()
                    advance(1000 * next(done))
        except BaseException as error:  # re-raised in the caller's thread
            failures.append(error)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def profile(order_events: list[dict[str, Any]], paths: stack.Paths) -> dict[str, Any]:
    """Ingest then compute `order_events` in-process, charging each Cypher statement with
    its wall time (server time plus the round trip) and with the CPU Neo4j's query workers
    spent on it. What is left of the wall time is Python (validation, planning, the rule
    maths) and the commits; what is left of the query workers' CPU is beginning and
    committing the transactions (writing the records, their index entries, the log)."""
    spent: dict[str, float] = defaultdict(float)
    server: dict[str, int] = defaultdict(int)
    clock: QueryThreadClock  # made at each phase's start, read by the timed wrappers
    plain = {name: getattr(db, name) for name in ("run", "run_rows", "read_query", "read_rows")}

    def timed(name: str) -> Callable[..., Any]:
        original = plain[name]
        tx_first = name.startswith("run")

        def call(*args: Any, **params: Any) -> Any:
            query = args[1] if tx_first else args[0]
            cpu = clock()
            started = time.perf_counter()
            try:
                return original(*args, **params)
            finally:
                spent[query] += time.perf_counter() - started
                server[query] += clock() - cpu
        return call

    for name in plain:
        setattr(db, name, timed(name))
    phases: dict[str, dict[str, Any]] = {}
    try:
        order_ids: list[str] = []
        for phase in ("ingest", "compute"):
            spent.clear()
            server.clear()
            clock = QueryThreadClock(paths)
            cpu_before = cpu_by_service(paths)
            query_before = clock()
            started = time.perf_counter()
            if phase == "ingest":
                for start in range(0, len(order_events), 1000):
                    order_ids += ingest_raw(order_events[start:start + 1000]).new_order_ids
            else:
                for start in range(0, len(order_ids), 500):
                    compute_rebates(order_ids[start:start + 500])
            wall = time.perf_counter() - started
            query_ns = clock() - query_before
            neo4j_cpu = cpu_by_service(paths)["neo4j"] - cpu_before["neo4j"]
            count = len(order_events)
            shares = {name: round(100 * t / wall, 1) for name, t in
                      sorted(spent.items(), key=lambda kv: -kv[1]) if t / wall >= 0.01}
            shares["python and commits"] = round(100 * (wall - sum(spent.values())) / wall, 1)
            server_us = {name: round(ns / 1e3 / count, 1) for name, ns in
                         sorted(server.items(), key=lambda kv: -kv[1]) if ns / 1e3 / count >= 1}
            outside = query_ns - sum(server.values())  # no statement's: begin and commit
            server_us["begin and commit"] = round(outside / 1e3 / count, 1)
            phases[phase] = {"orders_per_s": round(count / wall),
                             "neo4j_cpu_us_per_order": round(1e6 * neo4j_cpu / count),
                             "neo4j_query_workers_us_per_order": round(query_ns / 1e3 / count),
                             "share_of_wall_pct": shares, "neo4j_query_workers_us": server_us}
    finally:
        for name, original in plain.items():
            setattr(db, name, original)
    rows = [{"label": f"profiled in-process: {phase} only (orders/s; Neo4j CPU µs per order)",
             "per_s": phases[phase]["orders_per_s"],
             "us_per_item": phases[phase]["neo4j_cpu_us_per_order"]}
            for phase in ("ingest", "compute")]
    return {"rows": rows, "shares": phases}
