"""`tiergraph bench`: run a benchmark suite of lab/bench on its own stack and print its table."""

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.console import console, err, say

# The lab's suites are imported inside the command: they load the Neo4j driver, httpx and
# psycopg, which `tiergraph --help` should not wait for.


@contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar with a rate; yields the function a suite calls with the items done."""
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>9}/s"), TimeElapsedColumn())
    started = time.perf_counter()
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(label, total=total, rate="-")

        def advance(done: int) -> None:
            rate = done / (time.perf_counter() - started)
            bar.update(task, completed=done, rate=f"{rate:,.0f}")
        yield advance


def bench(
    users: Annotated[int, typer.Option(min=1000)] = 1_000_000,
    orders: Annotated[int, typer.Option(min=0)] = 200_000,
    lookups: Annotated[int, typer.Option(min=100)] = 5000,
    seed: Annotated[int, typer.Option()] = 1,
    keep: Annotated[bool, typer.Option(help="Leave the bench stack running.")] = False,
    suite: Annotated[str, typer.Option(help="platform (import, lookups vs PostgreSQL), "
                                            "money (orders to rebates, payouts, settlement, "
                                            "simulation) or http (the upline route at load "
                                            "with wrk, next to a FastAPI service over "
                                            "PostgreSQL) or compliance (the tier "
                                            "report's run and GET) or growth (ROI and "
                                            "leaderboard reads at load with wrk)")] = "platform",
    clients: Annotated[int, typer.Option(min=1, help="money: concurrent clients posting the "
                                                     "orders, as a mall's app servers do")] = 1,
    warmup: Annotated[int, typer.Option(min=0, help="money: at most this many orders sent "
                                                    "through the pipeline first, 20,000 at a "
                                                    "time until the JIT compilers take under "
                                                    "5% of Neo4j's CPU, so the sustained run "
                                                    "meets a compiled JVM")] = 200_000,
    seconds: Annotated[int, typer.Option(min=1, help="http, growth: seconds a wrk run")] = 10,
    warmup_seconds: Annotated[int, typer.Option(min=0, help="http, growth: seconds of wrk at 32 "
                                                            "connections before each side's "
                                                            "runs")] = 5,
    reuse: Annotated[bool, typer.Option(help="growth: measure the reads again on the mall a "
                                             "--keep run left, without loading it")] = False,
) -> None:
    """Benchmark on its own stack: `platform` against PostgreSQL, `money`, `http`,
    `compliance` or `growth`."""
    if suite not in ("platform", "money", "http", "compliance", "growth"):
        err.print("--suite is platform, money, http, compliance or growth")
        raise typer.Exit(2)
    if suite == "growth":
        from lab.bench import growth

        results = growth.run(users, orders, seed, keep, seconds, warmup_seconds, say=say,
                             progress=progress, reuse=reuse)
        console.print(*growth.tables(results))
        return
    if suite == "http":
        from lab.bench import http

        results = http.run(users, orders, lookups, seed, keep, seconds, warmup_seconds,
                           say=say, progress=progress)
        console.print(http_tables(results))
        return
    if suite == "platform":
        from lab.bench.run import run as run_platform

        results = run_platform(users, orders, lookups, seed, keep, say=say, progress=progress)
    elif suite == "compliance":
        from lab.bench import compliance

        results = compliance.run(users, orders, seed, keep, say=say, progress=progress)
    else:
        from lab.bench import money

        results = money.run(users, orders, lookups, seed, keep, say=say, progress=progress,
                            clients=clients, warmup=warmup)
    table = Table(title=f"tiergraph bench: {users:,} users, {orders:,} orders, seed {seed}")
    for column in ("measure", "per second", "p50 ms", "p99 ms", "us per item"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for row in results["rows"]:
        table.add_row(row["label"], f"{row['per_s']:,.0f}",
                      f"{row['p50_ms']:.3f}" if "p50_ms" in row else "",
                      f"{row['p99_ms']:.3f}" if "p99_ms" in row else "",
                      f"{row['us_per_item']:.1f}" if "us_per_item" in row else "")
    console.print(table)
    if "machine" in results:
        console.print(f"machine: {results['machine']}")
    if suite == "money" and "profile" in results:
        console.print(profile_table(results["profile"]))
    elif "profile" in results:
        console.print(f"profile: {json.dumps(results['profile'])}")


def profile_table(phases: dict[str, dict[str, Any]]) -> Table:
    """The money benchmark's in-process profile: per phase and Cypher statement, its share
    of the phase's wall time and the CPU Neo4j's query workers spent on it per order
    ("Neo4j µs/order"; "begin and commit" is theirs outside any statement)."""
    table = Table(title="where an order's time goes, in-process (lab/bench/money.py profile)")
    table.add_column("phase")
    table.add_column("statement", overflow="fold", min_width=26)
    for column in ("% of wall time", "Neo4j µs/order"):
        table.add_column(column, justify="right")
    for phase, figures in phases.items():
        shares, server = figures["share_of_wall_pct"], figures["neo4j_query_workers_us"]
        for name in [*shares, *(n for n in server if n not in shares)]:
            table.add_row(phase, name, f"{shares[name]:.1f}" if name in shares else "",
                          f"{server[name]:.1f}" if name in server else "")
        table.add_row(phase, "all (query workers)", "100.0",
                      f"{figures['neo4j_query_workers_us_per_order']:.0f}", end_section=True)
    return table


def http_tables(results: dict[str, Any]) -> Table:
    """The http suite's figures per route, side and connections, then the ratios, in one
    table (events/s: the events route's calls times the events a call carries)."""
    table = Table(title=f"tiergraph bench --suite http: {results['users']:,} users, "
                        f"{results.get('orders', 0):,} computed orders, {results['workers']} "
                        f"API processes a side, wrk {results['seconds']} s a run")
    for column in ("route", "side", "connections", "req/s", "p50 ms", "p99 ms", "events/s",
                   "failed"):
        table.add_column(column, justify="left" if column in ("route", "side") else "right")
    rows = results["rows"]
    for n, row in enumerate(rows):
        last = n + 1 == len(rows) or (rows[n + 1]["route"], rows[n + 1]["side"]) != (
            row["route"], row["side"])
        table.add_row(row["route"], row["side"], str(row["connections"]),
                      f"{row['per_s']:,.0f}", f"{row['p50_ms']:.2f}", f"{row['p99_ms']:.2f}",
                      f"{row['items_per_s']:,.0f}" if row["route"] == "events" else "",
                      str(row["errors"]), end_section=last)
    for ratio in results["ratios"]:
        table.add_row(ratio["route"], f"ratio: {ratio['label']}", str(ratio["connections"]),
                      f"{ratio['per_s']:.2f}x", f"{ratio['p50']:.2f}x", f"{ratio['p99']:.2f}x",
                      "", "")
    cache = results.get("cache", {})
    asked = cache.get("hits", 0) + cache.get("misses", 0)
    table.caption = (f"{results['machine']}; answers compared byte for byte: "
                     f"{results.get('answers_compared', 0)}; cached side: "
                     f"{cache.get('hits', 0) / max(asked, 1):.1%} of {asked:,} uplines from "
                     f"memory, {cache.get('processes', 0)} processes; events: "
                     f"{results.get('events_per_call', 0)} a call")
    return table
