"""`tiergraph bench --suite compliance`: the tier report at scale. A generated mall loaded and
its rebates computed; then, over HTTP on the bench stack, a full verification run (POST
/v1/compliance/tier-report/runs, followed to its end), GET /v1/compliance/tier-report with
nothing new, after new users and orders written since the report (the answer checks them), and
after the catch-up run the worker queued for them."""

import time
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from graph import db
from graph.compliance import graph_size
from graph.ingest.pipeline import ingest_lines
from graph.money.rebates import compute_rebates
from graph.rules.book import ensure_default_rule
from infra import stack
from lab.bench import mall
from lab.bench.measure import measure
from lab.bench.stack import use_bench_stack

LATE_USERS, LATE_ORDERS = 2_000, 2_500  # written after the report, checked by the GET
REPORT = "/v1/compliance/tier-report"


def run(users: int, orders: int, seed: int, keep: bool, say: Callable[[str], None],
        progress: Callable[..., Any], gets: int = 20) -> dict[str, Any]:
    """Run the compliance suite on the bench stack; its rows."""
    settings = use_bench_stack()
    stack.up(settings, ("neo4j", "redis", "audit", "worker", "api"), say=say)
    api = httpx.Client(base_url=f"http://127.0.0.1:{settings.api_port}", timeout=600,
                       headers={"Authorization": "Bearer bench-admin"})
    rows: list[dict[str, Any]] = []
    try:
        say("emptying the bench graph")
        db.reset_database()
        ensure_default_rule()
        events, _ = mall.events(users, orders + LATE_ORDERS, seed)
        registered, paid = events[:users], events[users:]
        early, late = paid[:orders], paid[orders:]
        load(registered + early, progress)
        compute(early, progress)
        size = graph_size()
        say(f"graph: {size}")

        started = time.perf_counter()
        job = follow(api, api.post(f"{REPORT}/runs").raise_for_status().json()["job_id"])
        elapsed = time.perf_counter() - started
        rows.append({"label": f"full verification run ({job['result']['rebates_checked']:,} "
                              "rebates; rebates checked/s)",
                     "per_s": job["result"]["rebates_checked"] / elapsed, "seconds": elapsed})

        def get(_: Any) -> None:
            api.get(REPORT).raise_for_status()

        rows.append(measure("GET tier-report, nothing new", get, list(range(gets)), warmup=3))
        newcomers = [{"type": "user_registered", "user_id": f"late{n:06d}",
                      "at": "2026-06-01T00:00:00Z", "invited_by": mall.user_id(n * 7 % users)}
                     for n in range(LATE_USERS)]
        load(newcomers + late, progress)
        compute(late, progress)
        answer = api.get(REPORT).raise_for_status().json()
        rows.append(measure(f"GET tier-report, {LATE_USERS:,} users and {len(late):,} orders "
                            "written since the report", get, list(range(gets)), warmup=0))
        if answer.get("run_job_id"):
            follow(api, answer["run_job_id"])
            rows.append(measure("GET tier-report, after the catch-up run", get,
                                list(range(gets)), warmup=1))
    finally:
        api.close()
        if not keep:
            db.close_driver()
            stack.down(settings, say=say)
    return {"rows": rows, "users": users, "orders": orders}


def load(events: list[dict[str, Any]], progress: Callable[..., Any]) -> None:
    """Write events through the file import's pipeline, with a bar."""
    lines = [orjson.dumps(e) for e in events]
    with progress("importing events", len(lines)) as advance:
        ingest_lines(lines, 5000, lambda _, done: advance(done), pipelined=True)


def compute(order_events: list[dict[str, Any]], progress: Callable[..., Any]) -> None:
    """Compute the rebates of the orders in this process, 500 a transaction, with a bar."""
    ids = [e["order_id"] for e in order_events]
    with progress("computing rebates", len(ids)) as advance:
        for start in range(0, len(ids), 500):
            compute_rebates(ids[start:start + 500])
            advance(min(start + 500, len(ids)))


def follow(api: httpx.Client, job_id: str, timeout: float = 3600) -> dict[str, Any]:
    """A tier report run's job, asked until it ends; raises when it failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api.get(f"{REPORT}/runs/{job_id}").raise_for_status().json()
        if job["status"] == "succeeded":
            return dict(job)
        if job["status"] == "failed":
            raise RuntimeError(f"tier report run {job_id} failed: {job['error']}")
        time.sleep(0.5)
    raise TimeoutError(f"tier report run {job_id} still running after {timeout:.0f} s")
