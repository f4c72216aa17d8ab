"""Ring detection on generated malls: quality against the labels, and scale.

    python -m lab.bench.detection --users 100000 --seeds 1 2 3
        generates a mall per seed, runs detection (Louvain + scoring, rings at or above the
        hold score) and the connected-components baselines, on weekly snapshots and at the
        end, and prints the evaluation table summed over the seeds.
    python -m lab.bench.detection --users 100000 --seeds 1 --algorithms
        also compares the community-detection algorithms (Louvain, Leiden from the leidenalg
        dev extra, label propagation).
    python -m lab.bench.detection --scale 1000000
        time and peak memory per stage at a tenth, three tenths and all of that many users:
        generation in one process, then projection (streamed from the NDJSON) and detection
        in another, so each peak is its own.

Pure Python: no Neo4j, no services.
"""

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import orjson

from graph.risk.communities import detect
from graph.risk.projection import Projection, projection_from_events
from graph.settings import get_settings
from lab.baselines import baseline_components
from lab.evaluation import MethodReport, evaluate, render_table, snapshot_rings, weekly_cutoffs
from lab.fraudgen import generate_mall, write_mall

HOLD_SCORE = get_settings().hold_score  # TIERGRAPH_HOLD_SCORE, 0.7 unless set


def flagged_rings(projection: Projection, seed: int, algorithm: str = "louvain") -> list[list[str]]:
    """Members of the detected rings at or above the hold score."""
    return [r.members for r in detect(projection, seed=seed, algorithm=algorithm)
            if r.score >= HOLD_SCORE]


def methods(seed: int) -> dict[str, Callable[[Projection], list[list[str]]]]:
    """The compared methods, each a projection -> flagged rings function."""
    return {
        "louvain": lambda p: flagged_rings(p, seed),
        "components": baseline_components,
        "components_all_ids": lambda p: baseline_components(p, max_share=None),
    }


def quality(users: int, seeds: list[int], snapshots: bool) -> dict[str, MethodReport]:
    """Evaluation reports per method, summed over the seeds."""
    total: dict[str, MethodReport] = {}
    for seed in seeds:
        started = time.perf_counter()
        events, labels = generate_mall(users, seed)
        generated = time.perf_counter()
        projection = projection_from_events(events)
        projected = time.perf_counter()
        final = {}
        for name, method in methods(seed).items():
            began = time.perf_counter()
            final[name] = method(projection)
            print(f"seed {seed}: {name} found {len(final[name])} rings in "
                  f"{time.perf_counter() - began:.1f} s", file=sys.stderr)
        shots = None
        if snapshots:
            cutoffs = weekly_cutoffs(events)
            shots = snapshot_rings(events, cutoffs, methods(seed))
        reports = evaluate(events, labels, final, shots)
        for name, report in reports.items():
            total.setdefault(name, MethodReport()).merge(report)
        print(f"seed {seed}: {len(events)} events generated in {generated - started:.1f} s, "
              f"projection {projected - generated:.1f} s, evaluation with snapshots "
              f"{time.perf_counter() - projected:.1f} s", file=sys.stderr)
    return total


def compare_algorithms(users: int, seeds: list[int]) -> list[str]:
    """Ring F1 and time per community-detection algorithm, as markdown lines."""
    lines = ["| algorithm | seeds | ring P | ring R | ring F1 | detection s |",
             "|---|---|---:|---:|---:|---:|"]
    data = []
    for seed in seeds:
        events, labels = generate_mall(users, seed)
        data.append((events, labels, projection_from_events(events)))
    for algorithm in ("louvain", "leiden", "label_propagation"):
        report, seconds = MethodReport(), 0.0
        try:
            for seed, (events, labels, projection) in zip(seeds, data, strict=True):
                began = time.perf_counter()
                rings = flagged_rings(projection, seed, algorithm)
                seconds += time.perf_counter() - began
                report.merge(evaluate(events, labels, {algorithm: rings})[algorithm])
        except (NotImplementedError, ImportError) as error:
            why = str(error).splitlines()[0][:80]
            lines.append(f"| {algorithm} | {seeds} | unavailable: {why} | | | |")
            continue
        p, r, f = report.rows["all"].ring_prf()
        lines.append(f"| {algorithm} | {seeds} | {p:.3f} | {r:.3f} | {f:.3f} | {seconds:.1f} |")
    return lines


# ---------------------------------------------------------------- scale


def _peak_kib() -> int:
    """Peak resident memory since the last reset (VmHWM), in KiB."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _reset_peak() -> None:
    """Resets VmHWM to the current RSS (Linux), so the next peak is one stage's."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def scale_generate(users: int, seed: int, out_dir: str) -> dict[str, Any]:
    """Generates a mall into out_dir (events.ndjson): seconds and peak RSS."""
    began = time.perf_counter()
    write_mall(users, seed, out_dir)
    return {"stage": "generate + write ndjson", "seconds": round(time.perf_counter() - began, 1),
            "peak_mib": round(_peak_kib() / 1024)}


def scale_detect(out_dir: str, seed: int) -> dict[str, Any]:
    """Streams out_dir/events.ndjson into a projection (as Neo4j would deliver it, without
    the events in memory), then detects: seconds and peak RSS per stage."""
    stages: list[dict[str, Any]] = []
    clock = [time.perf_counter()]

    def mark(stage: str) -> None:
        now = time.perf_counter()
        stages.append({"stage": stage, "seconds": round(now - clock[0], 1),
                       "peak_mib": round(_peak_kib() / 1024)})
        clock[0] = now
        _reset_peak()

    with open(os.path.join(out_dir, "events.ndjson"), "rb") as lines:
        projection = projection_from_events(orjson.loads(line) for line in lines)
    gc.collect()
    mark("projection")
    current = ["index"]

    def progress(stage: str, fraction: float) -> None:
        if stage != current[0]:
            mark(f"detect: {current[0]}")
            current[0] = stage

    began = time.perf_counter()
    rings = detect(projection, seed=seed, progress=progress)
    return {"usages": len(projection.usages), "orders": len(projection.orders),
            "rings": len(rings), "flagged": sum(1 for r in rings if r.score >= HOLD_SCORE),
            "detect_seconds": round(time.perf_counter() - began, 1), "stages": stages}


def _child(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "lab.bench.detection", *args], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def scale(top: int, seed: int) -> list[str]:
    """Markdown lines: per size (a tenth, three tenths, all of `top`), seconds and peak MiB
    per stage; generation and detection each run in a fresh process."""
    results = []
    for users in (top // 10, top * 3 // 10, top):
        with tempfile.TemporaryDirectory() as out_dir:
            generated = _child("--scale-generate", str(users), "--out", out_dir,
                               "--seeds", str(seed))
            result = _child("--scale-detect", out_dir, "--seeds", str(seed))
        result["users"] = users
        result["stages"].insert(0, generated)
        results.append(result)
        print(f"{users} users done", file=sys.stderr)
    names = [s["stage"] for s in results[0]["stages"]]
    heads = " | ".join(f"{r['users']:,} users: s / peak MiB" for r in results)
    lines = ["| stage | " + heads + " |", "|---|" + "---:|" * len(results)]
    for n, name in enumerate(names):
        cells = [f"{r['stages'][n]['seconds']} / {r['stages'][n]['peak_mib']:,}" for r in results]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    totals = " | ".join(str(r["detect_seconds"]) for r in results)
    lines.append("| detection total s | " + totals + " |")
    sizes = " | ".join(f"{r['usages']:,} / {r['orders']:,}" for r in results)
    lines.append("| usages / orders | " + sizes + " |")
    rings = " | ".join(f"{r['rings']} / {r['flagged']}" for r in results)
    lines.append("| rings returned / flagged | " + rings + " |")
    return lines


def machine() -> str:
    """One line on where this ran."""
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


def main() -> None:
    """Parses the command line and prints the markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--no-snapshots", action="store_true", help="skip the weekly snapshots")
    parser.add_argument("--algorithms", action="store_true", help="compare community algorithms")
    parser.add_argument("--scale", type=int, help="time and memory up to this many users")
    parser.add_argument("--scale-generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scale-detect", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_generate:
        print(json.dumps(scale_generate(args.scale_generate, args.seeds[0], args.out)))
        return
    if args.scale_detect:
        print(json.dumps(scale_detect(args.scale_detect, args.seeds[0])))
        return
    print(f"machine: {machine()}\n")
    if args.scale:
        print("\n".join(scale(args.scale, args.seeds[0])))
        return
    reports = quality(args.users, args.seeds, not args.no_snapshots)
    print(f"{args.users:,} users, seeds {args.seeds}, hold score {HOLD_SCORE}\n")
    print(render_table(reports))
    if args.algorithms:
        print()
        print("\n".join(compare_algorithms(args.users, args.seeds)))


if __name__ == "__main__":
    main()
