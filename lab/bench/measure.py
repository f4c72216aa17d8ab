"""What the benchmarks measure with: call latencies, and CPU time from /proc per service, per
kind of Neo4j thread and for the machine as a whole."""

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from infra import stack


def percentile(values: list[float], q: float) -> float:
    """The value below which a share `q` of `values` lies."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(label: str, call: Callable[[Any], Any], args: list[Any], per: int = 1,
            warmup: int = 200) -> dict[str, Any]:
    """Run `call` once per arg, sequentially; latency per call, throughput per item."""
    for arg in args[:warmup]:
        call(arg)
    latencies = []
    started = time.perf_counter()
    for arg in args:
        t = time.perf_counter_ns()
        call(arg)
        latencies.append((time.perf_counter_ns() - t) / 1e6)
    elapsed = time.perf_counter() - started
    return {
        "label": label, "calls": len(args), "items_per_call": per,
        "per_s": len(args) * per / elapsed,
        "p50_ms": statistics.median(latencies), "p99_ms": percentile(latencies, 0.99),
        "us_per_item": elapsed / (len(args) * per) * 1e6,
    }


def cpu_rows(phase: str, used: dict[str, float], elapsed: float, items: int,
             unit: str) -> list[dict[str, Any]]:
    """A row per process or kind of thread that used `used[name]` CPU seconds over a phase
    of `elapsed` seconds and `items` units: its share of one core, and its CPU µs a unit."""
    return [{"label": f"{phase}: CPU of {name} (% of one core; CPU µs per {unit})",
             "per_s": 100 * seconds / elapsed, "seconds": seconds,
             "us_per_item": 1e6 * seconds / items}
            for name, seconds in used.items()]


def _neo4j_tasks(paths: stack.Paths) -> list[tuple[str, str]]:
    """Each live thread of the running Neo4j as (kind, its /proc/PID/task/TID folder), the
    kind being query workers (Bolt), JIT compilers, garbage collector or other threads."""
    pid = stack.running_pid(paths, "neo4j")
    if pid is None:
        return []
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        folder = f"/proc/{pid}/task/{task}"
        try:
            with open(f"{folder}/comm") as f:
                name = f.read().strip()
        except OSError:  # the thread ended meanwhile
            continue
        if name.startswith("neo4j.Bolt"):
            kind = "query workers"
        elif "CompilerThre" in name:
            kind = "JIT compilers"
        elif name.startswith(("GC Thread", "G1 ")):
            kind = "garbage collector"
        else:
            kind = "other threads"
        found.append((kind, folder))
    return found


def neo4j_threads(paths: stack.Paths) -> dict[str, float]:
    """Neo4j's CPU seconds so far by kind of thread (/proc/PID/task): the query workers
    (Bolt), the JIT compilers, the garbage collector, and everything else."""
    kinds = {"query workers": 0.0, "JIT compilers": 0.0, "garbage collector": 0.0,
             "other threads": 0.0}
    for kind, folder in _neo4j_tasks(paths):
        try:
            _, seconds = _proc_stat(f"{folder}/stat")
        except OSError:  # the thread ended meanwhile
            continue
        kinds[kind] += seconds
    return kinds


def cpu_by_service(paths: stack.Paths) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each running service with all its child
    processes (the worker's pool), and by this benchmark process, from /proc."""
    stats: dict[int, tuple[int, float]] = {}  # pid -> (parent pid, cpu seconds)
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stats[int(entry)] = _proc_stat(f"/proc/{entry}/stat")
        except OSError:
            continue

    def tree(root: int) -> float:
        total, todo = 0.0, [root]
        while todo:
            pid = todo.pop()
            total += stats.get(pid, (0, 0.0))[1]
            todo += [child for child, (parent, _) in stats.items() if parent == pid]
        return total

    found = {name: tree(pid) for name in ("neo4j", "api", "worker", "redis")
             if (pid := stack.running_pid(paths, name)) is not None}
    found["benchmark client"] = stats.get(os.getpid(), (0, 0.0))[1]
    return found | machine_cpu()


def machine_cpu() -> dict[str, float]:
    """CPU seconds so far, summed over the machine's cores, that no process here used: idle
    (with I/O wait), and stolen, the time a virtual machine's cores were ready but its host ran
    something else. Steal is the machine's pace made visible: a phase that loses a tenth of
    its cores to the host measures a tenth less than the same code on a quiet one."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal ...
    per_s = os.sysconf("SC_CLK_TCK")
    return {"idle (all cores)": (ticks[3] + ticks[4]) / per_s,
            "stolen by the host (all cores)": ticks[7] / per_s}


def _proc_stat(path: str) -> tuple[int, float]:
    """A process's or thread's parent pid and CPU seconds (user + system) from its /proc
    stat file (the fields after the parenthesised name, which may itself hold spaces)."""
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class QueryThreadClock:
    """Nanoseconds that Neo4j's query workers (its Bolt threads) have spent on a CPU, summed
    from /proc/PID/task/TID/schedstat. Fine enough to charge one statement with the server
    CPU it cost, which the clock ticks of /proc stat (10 ms) are not. The threads are found
    when the clock is made: make one per phase (Bolt threads are pooled, so the ones alive
    when a phase starts serve it)."""

    def __init__(self, paths: stack.Paths) -> None:
        self.files = [f"{folder}/schedstat" for kind, folder in _neo4j_tasks(paths)
                      if kind == "query workers"]

    def __call__(self) -> int:
        total = 0
        for path in self.files:
            try:
                with open(path) as f:
                    total += int(f.read().split()[0])
            except OSError:
                continue
        return total
