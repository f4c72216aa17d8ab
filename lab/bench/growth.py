"""`tiergraph bench --suite growth`: the dashboard reads at scale. A generated mall whose users
register and order over the year up to now (so this week, this month and a year all hold
data), loaded by the bulk import (graph/ingest/bulk.py, infra/bulk_import.py), its rebates
computed under a few category rules, the fold (graph/analytics.fold) run from nothing and
once more (its times are figures too); then, over HTTP on this suite's own stack, wrk at 1
and 32 connections on:

- GET /v1/analytics/roi, group_by rule, category and day, over a month and over a year
  (each request one of several windows, so not one answer over and over; each API process
  keeps an answer a few seconds, as for a dashboard polled by many, graph/analytics.py);
  and by rule over COLD_WINDOWS windows of 1 to 366 days, so that nearly every request is a
  question not asked before and is read from the graph;
- GET /v1/leaderboards/invites, period week and month, limit 10 and 100.

Every variant is asked once first and must answer 200 with rows. With `reuse`, the mall a
`--keep` run left is measured again as it is (the API restarted on the code of now), without
loading it again: the load of a million users takes most of an hour. PROFILE of the two read
queries (db hits) goes with the figures, to say where a slow read's time goes.
"""

import os
import platform
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
from rich.table import Table

from graph import analytics, db, leaderboards, redis_clients
from graph.aggregates import MALL_TZ, TZ_NAME
from graph.ingest import bulk
from graph.leaderboards import period_key, period_start
from graph.money.rebates import compute_rebates
from graph.queries import queries
from graph.rules.book import create_rule, ensure_default_rule
from graph.settings import get_settings
from infra import bulk_import, stack
from lab.bench import mall, wrk
from lab.bench.measure import measure
from lab.bench.stack import use_bench_stack

# This suite's stack: a data folder and ports of its own (the variables set win).
GROWTH_ENV = {
    "TIERGRAPH_DATA_DIR": ".tiergraph/bench-growth",
    "TIERGRAPH_NEO4J_URI": "bolt://127.0.0.1:19687",
    "TIERGRAPH_REDIS_URL": "redis://127.0.0.1:19379/0",
    "TIERGRAPH_AUDIT_STORE_URL": "redis://tiergraph:bench-audit-append@127.0.0.1:19380/0",
    "TIERGRAPH_API_PORT": "19080",
    # wrk calls from one address, far more than a mall's dashboard would.
    "TIERGRAPH_RATE_LIMIT_PER_ADDRESS_PER_MINUTE": "100000000",
}
KEYS = {"roi": "bench-admin", "leaderboard": "bench-mall"}
CONNECTIONS = (1, 32)
CATEGORIES = ("beauty", "food", "apparel", "electronics", "home")
# Category rules beside the default one, so that ROI by rule has several keys.
RULES = tuple({"kind": "cash", "starts_at": None, "ends_at": None, "priority": 0,
               "level_bonus_bp": 0, **rule} for rule in (
    {"id": "bench-beauty", "tiers": [1200, 500], "category": "beauty"},
    {"id": "bench-food", "tiers": [600, 200], "category": "food"},
    {"id": "bench-electronics-points", "tiers": [300], "category": "electronics",
     "kind": "points"}))
DAYS = 365  # the mall's history, up to now
WINDOWS = 12  # windows per ROI variant, one drawn per request
COLD_WINDOWS = 50_000  # windows of the variant no kept answer helps
COMPUTE_CHUNK = 500
IN_PROCESS = 500  # calls of each read measured in this process


@dataclass(frozen=True)
class Variant:
    """One read measured: its route and label, and the paths a request draws from."""

    route: str
    label: str
    paths: tuple[str, ...]


def events(users: int, orders: int, seed: int, now: datetime) -> list[dict[str, Any]]:
    """Registrations of `users` spread evenly over the DAYS up to `now` (inviters first: the
    invite forest of lab/bench/mall.py), then `orders` paid orders at random times in that
    span, each by a user registered before it, in time order (pure, seeded)."""
    rng = random.Random(seed + 2)
    inviters = mall.invite_forest(users, seed)
    start = now - timedelta(days=DAYS)
    step = DAYS * 86_400 / users
    out: list[dict[str, Any]] = []
    for n in range(users):
        event: dict[str, Any] = {"type": "user_registered", "user_id": mall.user_id(n),
                                 "at": (start + timedelta(seconds=n * step)).isoformat()}
        if inviters[n] >= 0:
            event["invited_by"] = mall.user_id(inviters[n])
        out.append(event)
    offsets = sorted(rng.uniform(0, DAYS * 86_400) for _ in range(orders))
    for k, offset in enumerate(offsets):
        buyer = rng.randrange(max(1, min(users, int(offset / step))))
        items = []
        for i in range(rng.choice((1, 1, 2))):
            items.append({"sku": f"s{rng.randint(1, 5000)}", "category": rng.choice(CATEGORIES),
                          "amount_cents": rng.randint(10, 2000) * 100 + i})
        out.append({
            "type": "order_paid", "order_id": f"go{k:08d}", "user_id": mall.user_id(buyer),
            "amount_cents": sum(i["amount_cents"] for i in items), "currency": "CNY",
            "items": items, "device_id": f"gd{buyer}",
            "ip": f"10.{buyer % 250}.{(buyer // 250) % 250}.{k % 250 + 1}",
            "payment_account": f"gp{buyer}", "shipping_address": f"ga{buyer}",
            "at": (start + timedelta(seconds=offset)).isoformat()})
    return out


def variants(today: date, seed: int) -> list[Variant]:
    """The reads measured, for mall day `today` (pure): ROI by rule, category and day over
    WINDOWS month windows (30 days, ending in the last year) and WINDOWS year windows (366
    days, ending in the last month); ROI by rule over COLD_WINDOWS windows of 1 to 366 days
    ending in the last year; the leaderboard of the week and the month at limit 10 and
    100."""
    rng = random.Random(seed)
    ends = {"month": [today - timedelta(days=rng.randrange(0, DAYS - 30)) for _ in range(WINDOWS)],
            "year": [today - timedelta(days=rng.randrange(0, 30)) for _ in range(WINDOWS)]}
    spans = {"month": 30, "year": analytics.MAX_DAYS}
    out = []
    for group_by in analytics.KEY_KINDS:
        for span, last_days in ends.items():
            paths = tuple(f"/v1/analytics/roi?from={end - timedelta(days=spans[span] - 1)}"
                          f"&to={end}&group_by={group_by}" for end in last_days)
            out.append(Variant("roi", f"roi by {group_by}, a {span}", paths))
    cold = []  # distinct windows: (days before today it ends, days it spans - 1)
    for drawn in rng.sample(range(DAYS * analytics.MAX_DAYS), COLD_WINDOWS):
        end = today - timedelta(days=drawn // analytics.MAX_DAYS)
        cold.append(f"/v1/analytics/roi?from={end - timedelta(days=drawn % analytics.MAX_DAYS)}"
                    f"&to={end}&group_by=rule")
    out.append(Variant("roi", "roi by rule, windows not asked before", tuple(cold)))
    for period in ("week", "month"):
        for limit in (10, 100):
            out.append(Variant("leaderboard", f"leaderboard, {period}, limit {limit}",
                               (f"/v1/leaderboards/invites?period={period}&limit={limit}",)))
    return out


def bulk_load(lines: list[bytes], work: Path, say: Callable[[str], None]) -> list[str]:
    """`tiergraph import --bulk` of an empty store (the same steps): check the lines, write
    neo4j-admin's CSV files, import them (Neo4j restarts); returns the orders' ids."""
    if bulk.store_has_users():
        raise RuntimeError("the bulk import loads an empty store only")
    shutil.rmtree(work, ignore_errors=True)
    checker, writer = bulk.Checker(), bulk.CsvWriter(work / "csv")
    for start, part in bulk.chunks(lines, 5000):
        writer.add(checker.check(part, start))
    files = writer.finish()
    if checker.result.rejected:
        raise RuntimeError(f"events refused: {checker.result.rejected[:3]}")
    nodes, relationships = bulk.read_carried()
    bulk.carried(work / "csv", files, nodes, relationships)
    bulk_import.import_csv(get_settings(), files.nodes, files.relationships, work, say=say)
    bulk.settle_levels()
    redis_clients.uplines_changed()
    order_ids = writer.order_ids()
    shutil.rmtree(work, ignore_errors=True)
    return order_ids


def profile(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """One named query's PROFILE: rows, db hits and operators in plan order."""
    with db.get_driver().session(database=get_settings().neo4j_database) as session:
        summary = session.run("PROFILE " + queries[name], params).consume()

    def walk(node: dict[str, Any]) -> tuple[int, list[str]]:
        hits, ops = node.get("dbHits", 0), [node.get("operatorType", "?").split("@")[0]]
        for child in node.get("children", []):
            h, o = walk(child)
            hits, ops = hits + h, ops + o
        return hits, ops

    hits, ops = walk(summary.profile or {})
    return {"db_hits": hits, "operators": ops}


def check_answers(api: httpx.Client, variant: Variant) -> int:
    """Ask a variant's first path; raise unless it answers 200 with rows. Returns how many."""
    answer = api.get(variant.paths[0], headers={"Authorization": f"Bearer {KEYS[variant.route]}"})
    answer.raise_for_status()
    found = answer.json()["rows" if variant.route == "roi" else "entries"]
    if not found:
        raise RuntimeError(f"{variant.label}: no rows in {variant.paths[0]}")
    return len(found)


def _timed(rows: list[dict[str, Any]], label: str, call: Callable[[], Any],
           say: Callable[[str], None]) -> Any:
    started = time.perf_counter()
    result = call()
    rows.append({"label": label, "seconds": time.perf_counter() - started})
    say(f"  {label}: {rows[-1]['seconds']:.1f} s")
    return result


def load(users: int, orders: int, seed: int, now: datetime, settings: Any,
         phases: list[dict[str, Any]], say: Callable[[str], None],
         progress: Callable[..., Any]) -> None:
    """Generate the mall, bulk-load it into the emptied graph, compute its rebates under
    RULES and fold twice; each step's time goes to `phases`."""
    say(f"generating {users:,} users and {orders:,} orders over {DAYS} days (seed {seed})")
    lines = [orjson.dumps(e) for e in events(users, orders, seed, now)]
    say("emptying the bench graph")
    db.reset_database()
    work = settings.data_dir / "bulk-import"
    order_ids = _timed(phases, f"bulk import of {len(lines):,} events",
                       lambda: bulk_load(lines, work, say), say)
    lines.clear()
    ensure_default_rule()
    present = {r["id"] for r in db.read_query("rules.list")}
    for rule in RULES:
        if rule["id"] not in present:
            create_rule(dict(rule), actor="bench", role="admin", request_id=None)

    def compute() -> None:
        with progress("computing rebates", len(order_ids)) as advance:
            for start in range(0, len(order_ids), COMPUTE_CHUNK):
                compute_rebates(order_ids[start:start + COMPUTE_CHUNK])
                advance(min(start + COMPUTE_CHUNK, len(order_ids)))

    _timed(phases, f"rebates of {len(order_ids):,} orders", compute, say)
    # The next fold redoes what was written in the FOLD_OVERLAP before the first began:
    # the whole mall when it loaded faster than that.
    for label in ("fold, from nothing", "fold, the next run at once"):
        folded = _timed(phases, label, analytics.fold, say)
        phases[-1]["label"] += f" ({folded['days']} days, {folded['tallies']:,} tallies)"


def loaded_mall() -> dict[str, int]:
    """How many users and orders the bench graph holds; raises if it was never folded."""
    found = db.read_query("bench.growth_mall")[0]
    if not found["folded"]:
        raise RuntimeError("no mall folded in the bench graph: run the suite with --keep first")
    return {"users": found["users"], "orders": found["orders"]}


def run(users: int, orders: int, seed: int, keep: bool, seconds: int, warmup: int,
        say: Callable[[str], None], progress: Callable[..., Any],
        reuse: bool = False) -> dict[str, Any]:
    """Run the suite; the load and fold times (`phases`) and a row per read and connections.
    `reuse`: measure the reads on the mall already loaded (its users and orders counted)."""
    for name, value in GROWTH_ENV.items():
        os.environ.setdefault(name, value)
    settings = use_bench_stack()
    folder = (settings.data_dir / "growth").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    wrk.ensure_wrk(say)
    now = datetime.now(UTC)
    results: dict[str, Any] = {
        "machine": f"{platform.node()}: {os.cpu_count()} cores, {platform.platform()}",
        "users": users, "orders": orders, "seconds": seconds, "phases": [], "rows": []}
    phases = results["phases"]
    stack.up(settings, ("neo4j", "redis", "audit"), say=say)
    try:
        if reuse:
            results.update(loaded_mall())
            say(f"measuring the mall loaded before: {results['users']:,} users, "
                f"{results['orders']:,} orders")
            stack.stop_service(stack.Paths(settings.data_dir), "api")
        else:
            load(users, orders, seed, now, settings, phases, say, progress)
        stack.up(settings, ("api",), say=say)
        base = f"http://127.0.0.1:{settings.api_port}"
        api = httpx.Client(base_url=base, timeout=60)
        today = now.astimezone(MALL_TZ).date()
        try:
            for variant in variants(today, seed):
                answered = check_answers(api, variant)
                file = folder / f"paths-{variant.route}-{len(results['rows'])}.txt"
                file.write_text("\n".join(variant.paths) + "\n")
                args = [str(file), KEYS[variant.route], "{id}", "GET"]
                if warmup:
                    wrk.run(base, wrk.ids_script(), args, 32, warmup, folder)
                for connections in CONNECTIONS:
                    figures = wrk.run(base, wrk.ids_script(), args, connections, seconds,
                                      folder)
                    if figures["not_2xx"] or figures["socket_errors"]:
                        raise RuntimeError(f"{variant.label}, {connections}: {figures}")
                    results["rows"].append({"label": variant.label, "rows": answered,
                                            "connections": connections, **figures})
                    say(f"  {variant.label}, {connections} connections: "
                        f"{figures['per_s']:,.0f} req/s, p50 {figures['p50_ms']:.2f} ms, "
                        f"p99 {figures['p99_ms']:.2f} ms")
        finally:
            api.close()
        # The same reads in this process, one after another, without HTTP: the graph's share.
        year = today - timedelta(days=analytics.MAX_DAYS - 1)
        results["in_process"] = [
            measure("graph.analytics.roi_read, a year by rule (the graph's read)",
                    lambda _: analytics.roi_read(year, today, "rule"), list(range(IN_PROCESS))),
            measure("graph.leaderboards.invites, week, limit 100",
                    lambda _: leaderboards.invites("week", 100), list(range(IN_PROCESS)))]
        last = today - timedelta(days=1)
        results["profile"] = {
            "analytics.roi, a year by rule": profile("analytics.roi", analytics.roi_params(
                last - timedelta(days=365), last, "rule")),
            "leaderboards.invites, week, 100": profile("leaderboards.invites", {
                "period": period_key("week", period_start("week", today)), "limit": 101,
                "after": None, "hold_score": settings.hold_score}),
        }
        results["time_zone"] = TZ_NAME
    finally:
        if not keep:
            db.close_driver()
            stack.down(settings, say=say)
    return results


def tables(results: dict[str, Any]) -> list[Table]:
    """The suite's figures: the load and fold phases, then each read at each connections."""
    phases = Table(title=f"tiergraph bench --suite growth: {results['users']:,} users, "
                         f"{results['orders']:,} orders over {DAYS} days")
    phases.add_column("phase")
    phases.add_column("seconds", justify="right")
    for phase in results["phases"]:
        phases.add_row(phase["label"], f"{phase['seconds']:.1f}")
    reads = Table(title=f"growth reads over HTTP, wrk {results['seconds']} s a run")
    for column in ("read", "connections", "req/s", "p50 ms", "p99 ms", "rows"):
        reads.add_column(column, justify="left" if column == "read" else "right")
    rows = results["rows"]
    for n, row in enumerate(rows):
        reads.add_row(row["label"], str(row["connections"]), f"{row['per_s']:,.0f}",
                      f"{row['p50_ms']:.2f}", f"{row['p99_ms']:.2f}", str(row["rows"]),
                      end_section=n + 1 == len(rows) or rows[n + 1]["label"] != row["label"])
    for row in results.get("in_process", []):
        reads.add_row(f"{row['label']} (in process, no HTTP)", "1", f"{row['per_s']:,.0f}",
                      f"{row['p50_ms']:.2f}", f"{row['p99_ms']:.2f}", "", end_section=True)
    reads.caption = results["machine"] + "".join(
        f"; PROFILE {name}: {p['db_hits']:,} db hits"
        for name, p in results.get("profile", {}).items())
    return [phases, reads]
