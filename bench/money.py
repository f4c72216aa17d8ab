"""`tiergraph bench --suite money`: orders per second from POST /v1/events to stored
rebates through the worker, POST /v1/orders/{id}/payouts latency for computed orders,
settlement throughput, and the what-if simulation's speed. Own stack, like bench.run."""

import os
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.run import BENCH_ENV, measure


def run(users: int, orders: int, lookups: int, seed: int, keep: bool,
        say: Callable[[str], None], progress: Callable[..., Any]) -> dict[str, Any]:
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)
    import httpx

    from bench import mall
    from cli import stack
    from graph import db, settlement
    from graph.ingest import ingest_raw
    from graph.rules import Rule
    from graph.settings import get_settings
    from graph.simulation import simulate

    get_settings.cache_clear()
    settings = get_settings()
    rows: list[dict[str, Any]] = []
    stack.up(settings, ("neo4j", "redis", "worker", "api"), say=say)
    api = httpx.Client(base_url=f"http://127.0.0.1:{settings.api_port}", timeout=120,
                       headers={"Authorization": "Bearer bench-mall"})
    try:
        say("emptying the bench graph")
        db.reset_database()
        from graph.rebates import ensure_default_rule

        ensure_default_rule()
        events, _ = mall.events(users, orders, seed)
        say(f"registering {users:,} users")
        for start in range(0, users, 5000):
            ingest_raw(events[start:start + 5000])
        order_events = events[users:]

        # 1. Orders through the API and the worker: first POST to last rebate stored.
        with progress("orders to rebates", len(order_events)) as advance:
            started = time.perf_counter()
            for start in range(0, len(order_events), 1000):
                answer = api.post("/v1/events", json=order_events[start:start + 1000])
                answer.raise_for_status()
                advance(start + 1000)
            posted = time.perf_counter() - started
            while db.read_query("bench.uncomputed_orders")[0]["orders"] > 0:
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
        rows.append({"label": "orders: POST /v1/events, 1,000 a call (events/s)",
                     "per_s": len(order_events) / posted, "seconds": posted})
        rows.append({"label": "orders: POST to rebates stored by the worker (orders/s)",
                     "per_s": len(order_events) / elapsed, "seconds": elapsed})

        # 2. Payouts of orders already computed.
        rng = random.Random(seed)
        sample = [f"bo{rng.randrange(orders):07d}" for _ in range(lookups)]
        rows.append(measure("POST /v1/orders/{id}/payouts, already computed",
                            lambda o: api.post(f"/v1/orders/{o}/payouts").raise_for_status(),
                            sample, warmup=min(500, len(sample))))

        # 3. Settlement of everything: confirm, payable and credit each rebate.
        end = datetime.now(UTC) + timedelta(days=3650)
        started = time.perf_counter()
        moved = settlement.run(end)
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
    finally:
        api.close()
        if not keep:
            db.close_driver()
            stack.down(settings, say=say)
    return {"rows": rows, "users": users, "orders": orders}
