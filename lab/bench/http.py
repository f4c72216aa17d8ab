"""`tiergraph bench --suite http`: GET /v1/users/{id}/upline at load, tiergraph's API next to a
FastAPI service over PostgreSQL (lab/bench/http_peer.py) answering the same route, key check
and JSON from the same users, each in as many uvicorn processes as tiergraph's API runs
(TIERGRAPH_API_WORKERS, one per CPU by default), both driven by the same wrk script (random
ids from one file) at each number of connections.

Sides, one after another: tiergraph with no cache (TIERGRAPH_UPLINE_CACHE_SIZE=0: every
call a traversal), tiergraph with its upline cache (each process fills its own, during the
warm-up and the runs: the share answered from memory is reported), the peer by WITH
RECURSIVE, the peer by leader columns. Its own stack and ports (HTTP_ENV),
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
from lab.bench import mall, postgres, wrk
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
CONNECTIONS = (1, 32, 128)
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


def load(base_url: str, ids_file: Path, folder: Path, seconds: int, warmup: int,
         label: str, say: Callable[[str], None]) -> list[dict[str, Any]]:
    """A warm-up at 32 connections, then one wrk run per number of connections."""
    if warmup:
        wrk.run(base_url, ids_file, KEY, 32, warmup, folder)
    rows = []
    for connections in CONNECTIONS:
        figures = wrk.run(base_url, ids_file, KEY, connections, seconds, folder)
        if figures["not_2xx"] or figures["socket_errors"]:
            raise RuntimeError(f"{label} at {connections} connections: {figures}")
        rows.append({"label": f"{label}, {connections} connections", "side": label,
                     "connections": connections, **figures})
        say(f"  {rows[-1]['label']}: {figures['per_s']:,.0f} req/s, p50 "
            f"{figures['p50_ms']:.2f} ms, p99 {figures['p99_ms']:.2f} ms")
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


def run(users: int, lookups: int, seed: int, keep: bool, seconds: int, warmup: int,
        say: Callable[[str], None], progress: Callable[..., Any]) -> dict[str, Any]:
    """Run the suite; its rows (per side and number of connections) and ratios."""
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
        "users": users, "workers": workers, "seconds": seconds, "rows": []}
    rows = results["rows"]
    stack.up(settings, ("neo4j", "redis", "audit"), say=say)
    try:
        say(f"generating {users:,} users (seed {seed})")
        events, inviters = mall.events(users, 0, seed)
        lines = [orjson.dumps(e) for e in events]
        del events
        say("emptying the bench graph")
        db.reset_database()
        with progress("import users", len(lines)) as advance:
            total = ingest_lines(lines, 5000, lambda _r, done: advance(done), True)
        assert total.accepted == len(lines), total.rejected[:3]
        del lines

        # Users with three uplines, as the platform suite asks (the deepest traversal).
        rng = random.Random(seed)
        ids = [mall.user_id(n) for n in range(users)]
        deep = [ids[n] for n in rng.sample(range(users), min(users, lookups * 4))
                if mall.depth_of(inviters, n, 3) >= 3][:lookups]
        ids_file = folder / "ids.txt"
        ids_file.write_text("\n".join(deep) + "\n")

        api_url = f"http://127.0.0.1:{settings.api_port}"
        with postgres.cluster(settings.data_dir / "pg", PG_PORT) as dsn:
            say("loading PostgreSQL with the same users")
            postgres.load(dsn, ids, inviters)
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
                rows.extend(load(api_url, ids_file, folder, seconds, warmup, label, say))
                stack.stop_service(paths, "api")
                if cache:
                    results["cache"] = cache_figures(paths.logfile("api"), log_from)
            os.environ.pop("TIERGRAPH_UPLINE_CACHE_SIZE", None)
            for mode in ("recursive", "leaders"):
                label = ("PostgreSQL peer, WITH RECURSIVE" if mode == "recursive"
                         else "PostgreSQL peer, leader columns")
                with peer(dsn, workers, mode, folder) as peer_url:
                    rows.extend(load(peer_url, ids_file, folder, seconds, warmup, label, say))
    finally:
        if not keep:
            db.close_driver()
            stack.down(settings, say=say)
    results["machine"] += f"; after: {_load_average()}"
    results["ratios"] = ratios(rows)
    return results


def ratios(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each tiergraph side over the WITH RECURSIVE peer at the same connections: req/s,
    p50 and p99 (above 1: tiergraph serves more, or waits longer)."""
    peer_rows = {r["connections"]: r for r in rows
                 if r["side"] == "PostgreSQL peer, WITH RECURSIVE"}
    out = []
    for row in rows:
        other = peer_rows.get(row["connections"])
        if not row["side"].startswith("tiergraph") or other is None:
            continue
        out.append({"label": f"{row['side']} / PostgreSQL WITH RECURSIVE, "
                             f"{row['connections']} connections",
                    "per_s": row["per_s"] / other["per_s"],
                    "p50": row["p50_ms"] / other["p50_ms"],
                    "p99": row["p99_ms"] / other["p99_ms"]})
    return out
