"""Ring detection at scale through the graph: the job the worker runs, on the bench stack.

    python -m lab.bench.detect_graph load --users 1000000 --seed 1   # generate and import
    python -m lab.bench.detect_graph detect --seed 0                  # time and peak memory

`load` empties the bench graph, generates a labelled mall (lab.fraudgen) and imports it
through the same code path as `tiergraph import`. `detect` runs
`graph.risk.detection.detect_and_store` (read the projection, detect, store rings, hold) in
this process and prints each stage's wall time, the peak resident memory of this process
and Neo4j's, and the rings found.
"""

import argparse
import os
import resource
import time
from typing import Any

import orjson

from lab.bench.stack import BENCH_ENV


def _env() -> None:
    for key, value in BENCH_ENV.items():
        os.environ.setdefault(key, value)


def load(users: int, seed: int) -> dict[str, Any]:
    """Empty the bench graph and import a generated mall of `users` users."""
    _env()
    from rich.progress import Progress

    from graph import db
    from graph.ingest.batch import ingest_raw
    from graph.rules.book import ensure_default_rule
    from graph.settings import get_settings
    from infra import stack
    from lab.fraudgen import generate_mall

    settings = get_settings()
    stack.up(settings, ("neo4j", "redis", "audit"), say=print)
    db.reset_database()
    ensure_default_rule()
    started = time.perf_counter()
    events, labels = generate_mall(users, seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    with Progress() as bar:
        task = bar.add_task("importing", total=len(events))
        for start in range(0, len(events), 5000):
            result = ingest_raw(events[start:start + 5000])
            if result.rejected:
                raise SystemExit(f"rejected: {result.rejected[:3]}")
            bar.update(task, completed=start + 5000)
    imported = time.perf_counter() - started
    out = {"users": users, "seed": seed, "events": len(events), "rings": len(labels["rings"]),
           "generate_s": round(generated, 1), "import_s": round(imported, 1),
           "events_per_s": round(len(events) / imported)}
    print(orjson.dumps(out).decode())
    return out


def _neo4j_peak_kib() -> int | None:
    """VmHWM of the bench Neo4j process (its peak resident memory), if it runs here."""
    from graph.settings import get_settings
    from infra import stack

    pid = stack.running_pid(stack.Paths(get_settings().data_dir), "neo4j")
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, TypeError):
        return None
    return None


def detect(seed: int) -> dict[str, Any]:
    """Run the detection job in-process and report stage times and peak memory."""
    from graph.risk import detection

    _env()

    marks: list[tuple[str, float]] = []
    started = time.perf_counter()

    def progress(stage: str, fraction: float) -> None:
        if not marks or marks[-1][0] != stage:
            marks.append((stage, time.perf_counter() - started))

    result = detection.detect_and_store(seed=seed, progress=progress, actor="bench:detect")
    total = time.perf_counter() - started
    stages = {}
    for (stage, at), nxt in zip(marks, [*marks[1:], ("end", total)], strict=True):
        stages[stage] = round(stages.get(stage, 0.0) + nxt[1] - at, 1)
    out = {**result, "total_s": round(total, 1), "stages_s": stages,
           "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
           # the process forked for half the communities (its pages shared with this one's)
           "child_peak_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
           "neo4j_peak_rss_mib": (_neo4j_peak_kib() or 0) // 1024}
    print(orjson.dumps(out).decode())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load")
    p_load.add_argument("--users", type=int, default=1_000_000)
    p_load.add_argument("--seed", type=int, default=1)
    p_detect = sub.add_parser("detect")
    p_detect.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.command == "load":
        load(args.users, args.seed)
    else:
        detect(args.seed)


if __name__ == "__main__":
    main()
