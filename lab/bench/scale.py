"""The cost curve of one machine, size after size:

    python -m lab.bench.scale --users 100000 300000 1000000 --seed 1

For each size, on the bench stack (lab/bench/stack.py), with nothing but Neo4j, Redis and the
audit store running: a generated mall (lab.fraudgen: sessions, devices, IPs, cards, addresses,
orders and refunds, sorted by time) written as NDJSON; its first 90% loaded into an emptied
store by `tiergraph import --bulk` (the phases' events/s as it prints them); the last 10%, a
mixed stream of registrations, sessions, orders and refunds, by `tiergraph import` (the
incremental path a mall's daily feed takes); the store's size on disk; then the detection job
in a process of its own (`python -m lab.bench.detect_graph detect`), so that its peak resident
memory is the job's and not the generator's. Each step runs the shipped command as a user
would, so the figures are what they would see. Prints one JSON line per size and a table.
"""

import argparse
import json
import multiprocessing
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, TypeVar

import orjson

from lab.bench.stack import use_bench_stack

T = TypeVar("T")
TAIL_SHARE = 0.1  # the share of the stream imported incrementally after the bulk load
TIERGRAPH = str(Path(sys.executable).with_name("tiergraph"))
PHASE = re.compile(r"^(check|CSV|neo4j-admin|Neo4j stop, start and schema|total): "
                   r"([\d.]+)s, ([\d,]+) events/s", re.M)


def phases(output: str) -> dict[str, float]:
    """The seconds of each phase `tiergraph import --bulk` printed (pure)."""
    return {m.group(1): float(m.group(2)) for m in PHASE.finditer(output)}


def split_stream(stream: list[T], tail_share: float = TAIL_SHARE) -> tuple[list[T], list[T]]:
    """The time-sorted stream cut in two: the head for the bulk load, the tail for the
    incremental import (pure)."""
    cut = len(stream) - int(len(stream) * tail_share)
    return stream[:cut], stream[cut:]


def dir_bytes(path: Path) -> int:
    """Bytes of the files under `path`."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _run(argv: list[str]) -> tuple[str, float]:
    """Run a command with this process's environment (the bench stack's, use_bench_stack)."""
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout, elapsed


def write_streams(users: int, seed: int, work: Path) -> dict[str, Any]:
    """Generate the mall of `users` and write its head and tail as NDJSON under `work`, in a
    child process: the generator's memory (several GiB at a million users) is given back
    before Neo4j is loaded, and never held beside it."""
    work.mkdir(parents=True, exist_ok=True)
    facts = work / "generated.json"
    child = multiprocessing.get_context("fork").Process(
        target=_write_streams, args=(users, seed, work, facts))
    child.start()
    child.join()
    if child.exitcode != 0:
        raise SystemExit(f"generating {users:,} users failed (exit code {child.exitcode})")
    return dict(json.loads(facts.read_text()))


def _write_streams(users: int, seed: int, work: Path, facts: Path) -> None:
    from lab.fraudgen import generate_mall

    started = time.perf_counter()
    events, labels = generate_mall(users, seed)
    head, tail = split_stream(events)
    for name, part in (("head", head), ("tail", tail)):
        with (work / f"{name}.ndjson").open("wb") as out:
            for event in part:
                out.write(orjson.dumps(event) + b"\n")
    facts.write_text(json.dumps({"events": len(events), "head": len(head),
                                 "tail": len(tail), "rings": len(labels["rings"]),
                                 "generate_s": round(time.perf_counter() - started, 1)}))


def one_size(users: int, seed: int, work: Path, written: dict[str, Any]) -> dict[str, Any]:
    """Bulk-load the head written for `users`, import the tail, measure the store, detect."""
    from graph import db
    from graph.settings import get_settings
    from infra import bulk_import, stack

    settings = get_settings()
    # An empty store in seconds; then the reset clears what lives outside Neo4j (the audit
    # seals, cached uplines) on a graph with nothing left to delete.
    bulk_import.empty_store(settings, say=lambda _: None)
    db.reset_database()
    db.close_driver()
    out, bulk_s = _run([TIERGRAPH, "import", "--bulk", str(work / "head.ndjson")])
    bulk = phases(out)
    head_events, tail_events = written["head"], written["tail"]
    _, tail_s = _run([TIERGRAPH, "import", str(work / "tail.ndjson")])
    store = dir_bytes(stack.Paths(settings.data_dir).neo4j_home / "data")
    out, _ = _run([sys.executable, "-m", "lab.bench.detect_graph", "detect", "--seed", "0"])
    detected = json.loads(out.strip().splitlines()[-1])
    return {
        "users": users, "seed": seed, "events": written["events"],
        "rings_planted": written["rings"], "generate_s": written["generate_s"],
        "bulk_events": head_events, "bulk_s": round(bulk.get("total", bulk_s), 1),
        "bulk_events_per_s": round(head_events / bulk.get("total", bulk_s)),
        "bulk_phases_s": bulk,
        "incremental_events": tail_events, "incremental_s": round(tail_s, 1),
        "incremental_events_per_s": round(tail_events / tail_s),
        "store_mib": round(store / 2**20),
        "detect_s": detected["total_s"], "detect_stages_s": detected["stages_s"],
        "detect_peak_rss_mib": detected["peak_rss_mib"],
        "detect_child_peak_rss_mib": detected.get("child_peak_rss_mib"),
        "neo4j_peak_rss_mib": detected["neo4j_peak_rss_mib"],
        "rings_found": detected.get("rings"),
        "detect_users_read": detected.get("users"),
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The figures as a markdown table, a column per size (pure)."""
    measures = [
        ("events", "events", "{:,}"),
        ("bulk load, events/s (`import --bulk`)", "bulk_events_per_s", "{:,}"),
        ("incremental import, events/s (`import`, mixed tail)", "incremental_events_per_s",
         "{:,}"),
        ("store on disk, MiB", "store_mib", "{:,}"),
        ("detection job, s", "detect_s", "{}"),
        ("detection job, peak memory MiB", "detect_peak_rss_mib", "{:,}"),
        ("Neo4j peak memory MiB", "neo4j_peak_rss_mib", "{:,}"),
    ]
    head = "| measure | " + " | ".join(f"{r['users']:,} users" for r in rows) + " |"
    rule = "|---|" + "---:|" * len(rows)
    body = ["| " + label + " | " + " | ".join(fmt.format(r[key]) for r in rows) + " |"
            for label, key, fmt in measures]
    return "\n".join([head, rule, *body])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the bench stack running")
    args = parser.parse_args()
    from infra import stack

    settings = use_bench_stack()
    written = {users: write_streams(users, args.seed, settings.data_dir / "scale" / str(users))
               for users in args.users}
    stack.up(settings, ("neo4j", "redis", "audit"), say=print)
    rows = []
    try:
        for users in args.users:
            rows.append(one_size(users, args.seed, settings.data_dir / "scale" / str(users),
                                 written[users]))
            print(orjson.dumps(rows[-1]).decode(), flush=True)
    finally:
        if not args.keep:
            from graph import db

            db.close_driver()
            stack.down(settings, say=print)
    print(table(rows))


if __name__ == "__main__":
    main()
