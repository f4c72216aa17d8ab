"""`tiergraph bench --suite http`: three routes at load, tiergraph's API next to a FastAPI
service over PostgreSQL (lab/bench/http_peer.py) answering the same routes, key check and
JSON from the same data, each in as many uvicorn processes as tiergraph's API runs
(TIERGRAPH_API_WORKERS, one per CPU by default), both driven by the same wrk scripts
(lab/bench/wrk.py) at each number of connections:

- GET /v1/users/{id}/upline for random users with three uplines. Sides, one after another:
  tiergraph with no cache (TIERGRAPH_UPLINE_CACHE_SIZE=0: every call a traversal),
  tiergraph with its upline cache (each process fills its own, during the warm-up and the
  runs: the share answered from memory is reported), the peer by WITH RECURSIVE, the peer by
  leader columns.
- POST /v1/orders/{id}/payouts for random computed orders: tiergraph computed them before
  the runs (lab/bench/http_money.py), the peer answers the same rebates copied into its tables.
- POST /v1/events, batches of fresh sessions and paid orders of existing users.

Upline and payouts answers are first compared byte for byte on a sample; an events call
counts as failed unless its answer accepts every event. Its own stack and ports (HTTP_ENV),
so a running demo and the other benches are left alone; prints figures only.
"""

import os
import platform
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import orjson

from graph import db
from graph.ingest.pipeline import ingest_lines
from infra import stack
from lab.bench import http_money, mall, postgres, wrk
from lab.bench.stack import use_bench_stack

# This suite's stack: a data folder and ports of its own (the variables set win).
HTTP_ENV = {
    "TIERGRAPH_DATA_DIR": ".tiergraph/bench-http",
    "TIERGRAPH_NEO4J_URI": "bolt://127.0.0.1:18687",
    "TIERGRAPH_REDIS_URL": "redis://127.0.0.1:18379/0",
    "TIERGRAPH_AUDIT_STORE_URL": "redis://tiergraph:bench-audit-append@127.0.0.1:18380/0",
    "TIERGRAPH_API_PORT": "18080",
    # wrk calls from one address, far more than a mall's client would.
    "TIERGRAPH_RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "100000000",
}
PEER_PORT = 18081
PG_PORT = 18432
KEY = "bench-mall"
# The connections of each route's runs. Events: a call carries EVENTS_PER_CALL events (tens of
# ms of work), so 32 calls in flight already keep both sides' two cores busy; 128 would only
# lengthen the queue.
ROUTES = {"upline": (1, 32, 128), "payouts": (1, 32, 128), "events": (1, 32)}
PEER_POOL = 8  # PostgreSQL connections per peer process


@contextmanager
def peer(dsn: str, workers: int, mode: str, folder: Path) -> Iterator[str]:
    """The peer service in its own uvicorn processes for the block; yields its base URL."""
    env = {**os.environ, "PEER_DSN": dsn, "PEER_KEYS": KEY, "PEER_UPLINE": mode,
           "PEER_POOL": str(PEER_POOL)}
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"peer-{mode}.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "lab.bench.http_peer:app", "--host", "127.0.0.1",
             "--port", str(PEER_PORT), "--workers", str(workers), "--no-access-log"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            cwd=stack.ROOT, start_new_session=True)
    url = f"http://127.0.0.1:{PEER_PORT}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url + "/healthz"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the peer did not start; see {folder}/peer-{mode}.log")
            time.sleep(0.3)
        yield url
    finally:  # the supervisor and its workers: a session of their own
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def same_answers(urls: list[str], user_ids: list[str]) -> int:
    """Ask every base URL for the upline of each user (default depth and depth 1); raise
    unless every side answered the same bytes. Returns the answers compared."""
    headers = {"Authorization": f"Bearer {KEY}"}
    compared = 0
    with httpx.Client(headers=headers, timeout=30) as client:
        for user_id in user_ids:
            for query in ("", "?depth=1"):
                bodies = {url: client.get(f"{url}/v1/users/{user_id}/upline{query}")
                          for url in urls}
                contents = {(a.status_code, a.content) for a in bodies.values()}
                if len(contents) != 1:
                    raise AssertionError(f"the sides differ on {user_id}{query}: "
                                         f"{ {u: a.content for u, a in bodies.items()} }")
                compared += 1
    return compared


def load(base_url: str, route: str, args: Callable[[], list[str]], folder: Path,
         seconds: int, warmup: int, side: str, say: Callable[[str], None]
         ) -> list[dict[str, Any]]:
    """A warm-up at 32 connections, then one wrk run of the route's script per number of
    connections (ROUTES); a row each. An events call carries EVENTS_PER_CALL events."""
    script = http_money.SCRIPTS[route]()
    path = "/v1/events" if route == "events" else "/"  # the others' paths: from their ids
    if warmup:
        wrk.run(base_url, script, args(), 32, warmup, folder, path)
    per_call = http_money.EVENTS_PER_CALL if route == "events" else 1
    rows = []
    for connections in ROUTES[route]:
        figures = wrk.run(base_url, script, args(), connections, seconds, folder, path)
        # A failed call is a finding, kept in the row (and the table), not the end of the run.
        errors = figures["not_2xx"] + figures["socket_errors"] + figures["bad"]
        rows.append({"route": route, "side": side, "connections": connections, **figures,
                     "errors": errors, "items_per_s": figures["per_s"] * per_call})
        say(f"  {route}, {side}, {connections} connections: {figures['per_s']:,.0f} req/s, "
            f"p50 {figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms"
            + (f", {errors} failed: {figures}" if errors else ""))
    return rows


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


CACHE_LINE = re.compile(r"upline cache at shutdown: (\d+) entries, (\d+) answers from memory, "
                        r"(\d+) from the graph")


def cache_figures(log: Path, start: int) -> dict[str, int]:
    """The upline cache's figures the API processes logged at shutdown (api/main.py),
    summed over the processes, from byte `start` of the API's log on."""
    with open(log, "rb") as f:
        f.seek(start)
        text = f.read().decode(errors="replace")
    found = [tuple(int(g) for g in m.groups()) for m in CACHE_LINE.finditer(text)]
    return {"processes": len(found), "entries": sum(f[0] for f in found),
            "hits": sum(f[1] for f in found), "misses": sum(f[2] for f in found)}


def _load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def run(users: int, orders: int, lookups: int, seed: int, keep: bool, seconds: int,
        warmup: int, say: Callable[[str], None], progress: Callable[..., Any]
        ) -> dict[str, Any]:
    """Run the suite; its rows (per route, side and number of connections) and ratios."""
    for name, value in HTTP_ENV.items():
        os.environ.setdefault(name, value)
    settings = use_bench_stack()
    workers = stack.api_workers(settings)
    paths = stack.Paths(settings.data_dir)
    folder = (settings.data_dir / "http").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    wrk.ensure_wrk(say)
    results: dict[str, Any] = {
        "machine": f"{platform.node()}: {os.cpu_count()} cores, {platform.platform()}; "
                   f"load average before: {_load_average()}",
        "users": users, "orders": orders, "workers": workers, "seconds": seconds,
        "events_per_call": http_money.EVENTS_PER_CALL, "rows": []}
    rows = results["rows"]
    stack.up(settings, ("neo4j", "redis", "audit"), say=say)
    try:
        say(f"generating {users:,} users and {orders:,} paid orders (seed {seed})")
        events, inviters = mall.events(users, orders, seed)
        order_rows = http_money.order_rows(events)
        lines = [orjson.dumps(e) for e in events]
        del events
        say("emptying the bench graph")
        db.reset_database()
        with progress("import users and orders", len(lines)) as advance:
            total = ingest_lines(lines, 5000, lambda _r, done: advance(done), True)
        assert total.accepted == len(lines), total.rejected[:3]
        del lines
        order_ids = [o[0] for o in order_rows]
        http_money.compute(order_ids, progress)

        # Users with three uplines, as the platform suite asks (the deepest traversal).
        rng = random.Random(seed)
        ids = [mall.user_id(n) for n in range(users)]
        deep = [ids[n] for n in rng.sample(range(users), min(users, lookups * 4))
                if mall.depth_of(inviters, n, 3) >= 3][:lookups]
        ids_file = folder / "ids.txt"
        ids_file.write_text("\n".join(deep) + "\n")
        upline_args = http_money.ids_args(ids_file, KEY, "/v1/users/{id}/upline", "GET")
        money_args = {"events": http_money.events_args(  # of any user, as a mall's traffic
            http_money.sample(ids, users, seed, folder / "users.txt"), KEY)}
        if order_ids:  # --orders 0: no payouts to ask for
            money_args = {"payouts": http_money.ids_args(
                http_money.sample(order_ids, lookups, seed, folder / "orders.txt"), KEY,
                "/v1/orders/{id}/payouts", "POST"), **money_args}

        api_url = f"http://127.0.0.1:{settings.api_port}"
        with postgres.cluster(settings.data_dir / "pg", PG_PORT) as dsn:
            say("loading PostgreSQL with the same users, orders and rebates")
            postgres.load(dsn, ids, inviters)
            results["rebates"] = http_money.copy_to_postgres(dsn, order_rows)
            stack.stop_service(paths, "api")
            # No cache first: its traversals warm Neo4j's JIT up for the cached side's misses.
            for cache in (False, True):
                label = "tiergraph, cached uplines" if cache else "tiergraph, no cache"
                os.environ["TIERGRAPH_UPLINE_CACHE_SIZE"] = str(max(100_000, lookups)
                                                                if cache else 0)
                log_from = _size(paths.logfile("api"))
                stack.start_api(settings, paths, say=say)
                if cache:
                    with peer(dsn, workers, "recursive", folder) as peer_url:
                        results["answers_compared"] = same_answers(
                            [api_url, peer_url], ids[:10] + deep[:20])
                        sample = rng.sample(order_ids, min(30, len(order_ids)))
                        results["answers_compared"] += http_money.same_payouts(
                            [api_url, peer_url], sample, KEY)
                rows.extend(load(api_url, "upline", upline_args, folder, seconds, warmup,
                                 label, say))
                if cache:  # the money routes on the API as it runs by default
                    for route, args in money_args.items():
                        rows.extend(load(api_url, route, args, folder, seconds, warmup,
                                         "tiergraph", say))
                stack.stop_service(paths, "api")
                if cache:
                    results["cache"] = cache_figures(paths.logfile("api"), log_from)
            os.environ.pop("TIERGRAPH_UPLINE_CACHE_SIZE", None)
            for mode in ("recursive", "leaders"):
                label = ("PostgreSQL peer, WITH RECURSIVE" if mode == "recursive"
                         else "PostgreSQL peer, leader columns")
                with peer(dsn, workers, mode, folder) as peer_url:
                    rows.extend(load(peer_url, "upline", upline_args, folder, seconds, warmup,
                                     label, say))
                    if mode == "recursive":  # the money routes do not read uplines
                        for route, args in money_args.items():
                            rows.extend(load(peer_url, route, args, folder, seconds, warmup,
                                             "PostgreSQL peer", say))
    finally:
        if not keep:
            db.close_driver()
            stack.down(settings, say=say)
    results["machine"] += f"; after: {_load_average()}"
    results["ratios"] = ratios(rows)
    return results


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each tiergraph side over each PostgreSQL side of the same route at the same
    connections: req/s, p50 and p99 (above 1: tiergraph serves more, or waits longer)."""
    out = []
    for row in rows:
        if not row["side"].startswith("tiergraph"):
            continue
        for other in rows:
            if (other["route"], other["connections"]) != (row["route"], row["connections"]) \
                    or not other["side"].startswith("PostgreSQL") \
                    or not (other["requests"] and row["requests"]):  # a run with no answer
                continue
            out.append({"route": row["route"], "connections": row["connections"],
                        "label": f"{row['side']} / {other['side']}",
                        "per_s": row["per_s"] / other["per_s"],
                        "p50": row["p50_ms"] / other["p50_ms"],
                        "p99": row["p99_ms"] / other["p99_ms"]})
    return out
