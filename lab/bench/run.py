"""`tiergraph bench`: import rate, upline and downline lookups, batched payout lookups,
through the Neo4j driver and the HTTP API, next to PostgreSQL on the same users.

Runs on the bench stack (lab/bench/stack.py), so a running demo is left alone. Prints a
table; writes lab/out/results.json.
"""

import json
import os
import platform
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import orjson
import psycopg

from graph import db
from graph.ingest.pipeline import ingest_lines
from graph.queries import queries
from graph.users import invites
from infra import stack
from lab.bench import mall, postgres
from lab.bench.bolt import BareBolt
from lab.bench.measure import cpu_rows, measure, neo4j_threads
from lab.bench.stack import use_bench_stack

PG_PORT = 5439


def run(users: int, orders: int, lookups: int, seed: int, keep: bool,
        say: Callable[[str], None], progress: Callable[..., Any]) -> dict[str, Any]:
    """Run the platform suite on the bench stack; its rows, also in lab/out/results.json."""
    settings = use_bench_stack()
    results: dict[str, Any] = {
        "machine": f"{platform.node()}: {os.cpu_count()} cores, "
                   f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
                   f"{platform.platform()}",
        "users": users, "orders": orders, "lookups": lookups, "seed": seed, "rows": [],
    }
    rows = results["rows"]
    stack.up(settings, ("neo4j", "redis", "audit", "api"), say=say)
    try:
        say(f"generating {users:,} users and {orders:,} orders (seed {seed})")
        events, inviters = mall.events(users, orders, seed)
        lines = [orjson.dumps(e) for e in events]
        del events
        say("emptying the bench graph")
        db.reset_database()

        # 1. Import through the same path as `tiergraph import` and POST /v1/events: each
        # kind's first half one chunk after another, its second half pipelined (the next
        # chunk checked while the last is written, `tiergraph import`'s default), so the two
        # compare within one run (the second half meets a larger graph and a warmer JVM).
        paths = stack.Paths(settings.data_dir)
        threads_before = neo4j_threads(paths)
        for label, part in (("users", lines[:users]), ("orders", lines[users:])):
            half = len(part) // 2
            for pipelined, piece in ((False, part[:half]), (True, part[half:])):
                how = "second half, pipelined" if pipelined else "first half, one after another"
                with progress(f"import {label}, {how}", len(piece)) as advance:
                    started = time.perf_counter()
                    total = ingest_lines(piece, 5000, lambda _r, done: advance(done), pipelined)
                    elapsed = time.perf_counter() - started
                assert total.accepted == len(piece), total.rejected[:3]
                rows.append({"label": f"import {label}, {how} (events/s)",
                             "per_s": len(piece) / elapsed, "seconds": elapsed})
        elapsed_all = sum(r["seconds"] for r in rows)
        rows.append({"label": "import all (events/s)", "per_s": len(lines) / elapsed_all,
                     "seconds": elapsed_all})
        used = {f"neo4j's {kind}": seconds - threads_before[kind]
                for kind, seconds in neo4j_threads(paths).items()}
        rows.extend(cpu_rows("import", used, elapsed_all, len(lines), "event"))
        del lines

        # 2. Samples: buyers with three or more uplines; inviters with a downline.
        rng = random.Random(seed)
        ids = [mall.user_id(n) for n in range(users)]
        deep = [n for n in rng.sample(range(users), min(users, lookups * 4))
                if mall.depth_of(inviters, n, 3) >= 3][:lookups]
        has_children = sorted({i for i in inviters if i >= 0})
        parents = rng.sample(has_children, min(lookups, len(has_children)))
        deep_ids = [ids[n] for n in deep]
        parent_ids = [ids[n] for n in parents]
        batches = [[ids[rng.randrange(users)] for _ in range(100)] for _ in range(lookups // 20)]

        say("loading PostgreSQL with the same users")
        with postgres.cluster(settings.data_dir / "pg", PG_PORT) as dsn:
            rows.append({"label": "PostgreSQL load (users/s, COPY + indexes)",
                         "per_s": users / postgres.load(dsn, ids, inviters)})
            pg = psycopg.connect(dsn, autocommit=True)
            driver = db.get_driver()
            cap = settings.max_tiers

            def managed_upline(u: str) -> Any:
                return db.read(lambda tx: db.run(tx, "invites.upline", user_id=u))

            api = httpx.Client(base_url=f"http://127.0.0.1:{settings.api_port}",
                               headers={"Authorization": "Bearer bench-mall"})
            # The server's and the loopback's share of a call, without any driver (BareBolt).
            where = urlparse(settings.neo4j_uri)
            bare = BareBolt(where.hostname or "127.0.0.1", where.port or 7687,
                            settings.neo4j_user, settings.neo4j_password.get_secret_value())
            say("measuring lookups")
            suites = [
                ("floor: bare Bolt socket, no driver, RETURN 1",
                 lambda u: bare.run(queries["admin.ping"], {}), deep_ids, 1),
                ("upline: bare Bolt socket, no driver (the same query)",
                 lambda u: bare.run(queries["invites.upline"], {"user_id": u}), deep_ids, 1),
                ("floor: Neo4j driver, RETURN 1",
                 lambda u: db.read_query("admin.ping"), deep_ids, 1),
                ("upline: Neo4j driver (graph.users.invites.upline, auto-commit)",
                 lambda u: invites.upline(u, cap), deep_ids, 1),
                ("upline: Neo4j driver, managed transaction (execute_read)",
                 managed_upline, deep_ids, 1),
                ("upline: HTTP API GET /v1/users/{id}/upline",
                 lambda u: api.get(f"/v1/users/{u}/upline").raise_for_status(), deep_ids, 1),
                ("upline: PostgreSQL WITH RECURSIVE",
                 lambda u: pg.execute(postgres.UPLINE_RECURSIVE, {"id": u}).fetchall(),
                 deep_ids, 1),
                ("upline: PostgreSQL leader columns",
                 lambda u: pg.execute(postgres.UPLINE_LEADERS, {"id": u}).fetchall(), deep_ids, 1),
                ("downline counts: Neo4j driver",
                 lambda u: db.read_query("invites.downline_counts", user_id=u, depth=cap),
                 parent_ids, 1),
                ("downline counts: HTTP API GET /v1/users/{id}/downline?limit=1",
                 lambda u: api.get(f"/v1/users/{u}/downline?limit=1").raise_for_status(),
                 parent_ids, 1),
                ("downline counts: PostgreSQL WITH RECURSIVE",
                 lambda u: pg.execute(postgres.DOWNLINE_RECURSIVE, {"id": u}).fetchall(),
                 parent_ids, 1),
                ("downline counts: PostgreSQL leader columns",
                 lambda u: pg.execute(postgres.DOWNLINE_LEADERS, {"id": u}).fetchall(),
                 parent_ids, 1),
                ("payout uplines, 100 orders a call: Neo4j UNWIND",
                 lambda b: invites.uplines(b, cap), batches, 100),
                ("payout uplines, 100 orders a call: PostgreSQL WITH RECURSIVE",
                 lambda b: pg.execute(postgres.BATCH_RECURSIVE, {"ids": b}).fetchall(),
                 batches, 100),
                ("payout uplines, 100 orders a call: PostgreSQL leader columns",
                 lambda b: pg.execute(postgres.BATCH_LEADERS, {"ids": b}).fetchall(), batches, 100),
            ]
            for label, call, args, per in suites:
                rows.append(measure(label, call, args, per, warmup=min(1000, len(args))))
                say(f"  {label}: {rows[-1]['per_s']:,.0f}/s, p99 {rows[-1]['p99_ms']:.3f} ms")
            # Query plans for the record (PROFILE: db hits of one upline and one batch).
            results["profile"] = {
                "upline": _profile(driver, "invites.upline", {"user_id": deep_ids[0]}),
                "uplines_batch": _profile(driver, "invites.uplines_batch", {"ids": batches[0]}),
            }
            api.close()
            bare.close()
            pg.close()
    finally:
        if not keep:
            db.close_driver()
            stack.down(settings, say=say)
    out = Path("lab/out")
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    return results


def _profile(driver: Any, name: str, params: dict[str, Any]) -> dict[str, Any]:
    """One query's PROFILE: its db hits and operators, in plan order."""
    with driver.session() as session:
        summary = session.run("PROFILE " + queries[name], params).consume()
    plan = summary.profile

    def walk(node: dict[str, Any]) -> tuple[int, list[str]]:
        hits = node.get("dbHits", 0)
        ops = [node.get("operatorType", "?").split("@")[0]]
        for child in node.get("children", []):
            h, o = walk(child)
            hits += h
            ops += o
        return hits, ops

    hits, ops = walk(plan)
    return {"db_hits": hits, "operators": ops}
