"""Ring detection on worlds it was not tuned on, at the service's hold score.

    python -m lab.bench.heldout --users 20000 [--settings NAME ...] [--seed 1] [--examples]
                                [--methods detect louvain_ids components] [--cache DIR]

For each named world setting of lab.worlds (all of them by default), generates the mall,
builds the projection with graph.risk.projection.projection_from_events, runs
graph.risk.communities.detect (rings at or above the hold score) and the baselines of
lab/baselines.py (connected components, plain Louvain over shared identifiers), and prints
one markdown table per split (tune, held-out) with the command line above it, then a table
of each world's structure: how much of it shares identifiers, its largest component, and
how many missed rings lie inside that. --cache keeps each generated world (its events,
labels and projection) in DIR and reads it from there next time: a 200,000-user world
takes minutes to generate; empty DIR after changing a generator or the projection.
--examples adds, per world, the features of a
typical false ring and of missed rings of the kinds detection finds hardest. Pure Python:
no services. lab.bench.detection reports on lab.fraudgen malls, the ones detection was
tuned on.
"""

import argparse
import pickle
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.risk.communities import components, detect
from graph.risk.projection import Projection, projection_from_events
from graph.risk.scoring import DetectedRing, features_of, reasons_of, score_of
from graph.risk.user_graph import MAX_SHARE, Index, build_user_graph, shared_groups
from graph.settings import get_settings
from lab.baselines import baseline_components, baseline_louvain
from lab.evaluation import FALSE_RING_KINDS, MethodReport, evaluate, false_ring_causes, match_rings
from lab.worlds import HELD_OUT, NAMED, TUNE, generate_world

HOLD_SCORE = get_settings().hold_score  # TIERGRAPH_HOLD_SCORE, 0.7 unless set
METHODS = ("detect", "louvain_ids", "components")
RECALL_KINDS = (("self-ref", "self_referral"), ("camo", "camouflaged"),
                ("farm", "device_farm"), ("invite", "invite_farm"),
                ("refund", "refund_after_payout"))
EXAMPLE_KINDS = ("self_referral", "camouflaged")


@dataclass
class WorldRun:
    """One world's reports per method, with what the structure table and examples need."""

    name: str
    reports: dict[str, MethodReport]
    detected: list[DetectedRing]
    labels: dict[str, Any]
    scorer: "Scorer"


def world(name: str, users: int, seed: int,
          cache: Path | None = None) -> tuple[list[dict[str, Any]], dict[str, Any], Projection]:
    """One named world's events, labels and projection, from the cache when it is there."""
    path = cache / f"{name}-{users}-{seed}.pkl" if cache else None
    if path and path.exists():
        with path.open("rb") as f:
            cached: tuple[list[dict[str, Any]], dict[str, Any], Projection] = pickle.load(f)
        return cached
    began = time.perf_counter()
    events, labels = generate_world(NAMED[name], users, seed)
    made = (events, labels, projection_from_events(events))
    say(f"{name}: {len(events):,} events, generated and projected in "
        f"{time.perf_counter() - began:.1f} s")
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            pickle.dump(made, f, protocol=pickle.HIGHEST_PROTOCOL)
    return made


def run_world(name: str, users: int, seed: int, chosen: tuple[str, ...] = METHODS,
              cache: Path | None = None) -> WorldRun:
    """Generates (or reads from the cache) one named world and evaluates detection and the
    baselines on it."""
    events, labels, projection = world(name, users, seed, cache)
    detected: list[DetectedRing] = []

    def run_detect(p: Projection) -> list[list[str]]:
        detected.extend(detect(p, seed=seed))
        return [r.members for r in detected if r.score >= HOLD_SCORE]

    methods: dict[str, Callable[[Projection], list[list[str]]]] = {
        "detect": run_detect,
        "louvain_ids": lambda p: baseline_louvain(p, seed=seed),
        "components": baseline_components,
    }
    found = {}
    for method, run in methods.items():
        if method not in chosen:
            continue
        began = time.perf_counter()
        found[method] = run(projection)
        say(f"{name}: {method} flagged {len(found[method]):,} rings in "
            f"{time.perf_counter() - began:.1f} s")
    return WorldRun(name, evaluate(events, labels, found), detected, labels,
                    Scorer(projection))


def say(line: str) -> None:
    """Progress on stderr, so stdout stays the tables."""
    print(line, file=sys.stderr, flush=True)


def table(runs: list[WorldRun], total_name: str) -> list[str]:
    """One markdown table: a row per world and method, then each method over all worlds."""
    kinds = " | ".join(f"{label} R" for label, _ in RECALL_KINDS)
    causes = " | ".join(c.replace("_", " ") for c in FALSE_RING_KINDS)
    lines = [f"| world | method | true rings | flagged rings | ring P | ring R | ring F1 "
             f"| member P | member R | member F1 | honest flagged | {kinds} "
             f"| false rings: {causes} |",
             "|---|---|" + "---:|" * (9 + len(RECALL_KINDS) + len(FALSE_RING_KINDS))]
    methods = list(runs[0].reports)
    totals = {method: MethodReport() for method in methods}
    for run in runs:
        for method in methods:
            totals[method].merge(run.reports[method])
            lines.append(_row(run.name, method, run.reports[method]))
    if len(runs) > 1:
        lines += [_row(total_name, method, totals[method], bold=True) for method in methods]
    return lines


def _row(world: str, method: str, report: MethodReport, bold: bool = False) -> str:
    everything = report.rows["all"]
    cells = [world, method, str(everything.true_rings), str(everything.predicted)]
    cells += [f"{x:.3f}" for x in (*everything.ring_prf(), *everything.member_prf())]
    cells.append(f"{100 * report.honest_flagged_share():.2f}% ({report.honest_flagged():,})")
    for _, kind in RECALL_KINDS:
        recall = report.recall(kind)
        cells.append("–" if recall is None else f"{recall:.2f}")
    cells += [str(report.false_rings.get(cause, 0)) for cause in FALSE_RING_KINDS]
    if bold:
        cells[0] = f"**{world}**"
    return "| " + " | ".join(cells) + " |"


def examples(run: WorldRun) -> list[str]:
    """Markdown lines: detect's most common kind of false ring (the one of median score)
    and, per hard kind, a missed ring (of median size) with the features of its members."""
    truth = [r["members"] for r in run.labels["rings"]]
    flagged = [r for r in run.detected if r.score >= HOLD_SCORE]
    found = {t for _, t, _ in match_rings([r.members for r in flagged], truth)}
    causes = false_ring_causes([r.members for r in flagged], run.labels)
    holders = _holders(run.labels)
    lines = [f"#### {run.name}", ""]
    common = Counter(c for c in causes.values() if c != "ring_part").most_common(1)
    if common:
        cause = common[0][0]
        picked = sorted((flagged[p] for p, c in causes.items() if c == cause),
                        key=lambda r: (r.score, r.members))
        ring = picked[len(picked) // 2]
        lines.append(f"- typical false ring ({cause}: {len(picked)} of {len(causes)} false "
                     f"rings): {_describe(ring.members, ring.score, ring.features, holders)}")
    for kind in EXAMPLE_KINDS:
        of_kind = [t for t, r in enumerate(run.labels["rings"]) if r["kind"] == kind]
        missed = sorted((t for t in of_kind if t not in found), key=lambda t: (len(truth[t]), t))
        if not missed:
            continue
        members = truth[missed[len(missed) // 2]]
        lines.append(f"- missed {kind} ring ({len(missed)} of {len(of_kind)} missed); its "
                     f"members as one community: {run.scorer.describe(members, holders)}")
        best = max(run.detected, key=lambda r: (len(set(r.members) & set(members)), r.score),
                   default=None)
        overlap = len(set(best.members) & set(members)) if best else 0
        if best and overlap:
            lines.append(f"  - detect's community with most of them ({overlap}): "
                         f"{_describe(best.members, best.score, best.features, holders)}")
        else:
            lines.append("  - detect returned no community holding any of them")
    return lines + [""]


def _holders(labels: dict[str, Any]) -> dict[str, list[str]]:
    """The benign group kinds each user is labelled in."""
    holders: dict[str, list[str]] = {}
    for kind, groups in labels["groups"].items():
        if groups and isinstance(groups[0], list):
            for members in groups:
                for member in members:
                    holders.setdefault(member, []).append(kind)
    return holders


def _describe(members: list[str], score: float, features: dict[str, float],
              holders: dict[str, list[str]]) -> str:
    """Score, reasons, non-zero features and who the members are, on one line."""
    who = Counter(kind for m in members for kind in set(holders.get(m, ("none",))))
    shown = ", ".join(f"`{k}` {v:.2f}" for k, v in features.items() if v)
    return (f"{len(members)} members ({', '.join(f'{k} {n}' for k, n in who.most_common())}), "
            f"score {score:.3f}, reasons {reasons_of(features)}; {shown}")


class Scorer:
    """detect's weighted user graph of a world: scores any set of users as detect would
    score them as one community, and measures the graph's components."""

    def __init__(self, projection: Projection) -> None:
        self.index = Index(projection)
        self.groups = shared_groups(projection, self.index)
        self.graph = build_user_graph(self.groups, self.index)
        self.touching: dict[int, list[int]] = {}
        for g, group in enumerate(self.groups):
            for uid, _, _, _ in group.uses:
                self.touching.setdefault(uid, []).append(g)

    def describe(self, members: list[str], holders: dict[str, list[str]]) -> str:
        """One line, as `_describe`, for the community of these members."""
        part = sorted(self.index.ids[m] for m in members)
        features = features_of(part, self.groups, self.touching, self.index, self.graph)
        return _describe(members, score_of(features), features, holders)


    def components(self, invites: bool = True) -> list[list[int]]:
        """Connected components of the graph, with or without its invite edges."""
        return components(set(self.graph.adjacency),
                          self.graph.weights if invites else self.graph.id_edges)


def structure(runs: list[WorldRun]) -> list[str]:
    """A markdown table: how much of each world shares identifiers, how big its largest
    component is, and how many rings detect missed inside it."""
    lines = ["| world | users sharing an identifier | largest component | largest on "
             "identifiers alone | true rings | missed by detect | missed inside the largest |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for run in runs:
        scorer, truth = run.scorer, [r["members"] for r in run.labels["rings"]]
        parts = sorted(scorer.components(), key=len, reverse=True)
        largest = {scorer.index.names[u] for u in parts[0]} if parts else set()
        alone = max(map(len, scorer.components(invites=False)), default=0)
        flagged = [r.members for r in run.detected if r.score >= HOLD_SCORE]
        found = {t for _, t, _ in match_rings(flagged, truth)}
        missed = [t for t in range(len(truth)) if t not in found]
        inside = sum(1 for t in missed if 2 * len(largest & set(truth[t])) > len(truth[t]))
        lines.append(f"| {run.name} | {len(scorer.graph.adjacency):,} | {len(largest):,} "
                     f"| {alone:,} | {len(truth)} | {len(missed)} | {inside} |")
    return lines


def main() -> None:
    """Parses the command line and prints the tables."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--settings", nargs="+", choices=sorted(NAMED), default=None,
                        help="world settings to run (default: all)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS),
                        help="methods to run (default: all; the baselines are slow at scale)")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep generated worlds here and reuse them")
    parser.add_argument("--examples", action="store_true",
                        help="also print a typical false ring and missed rings per world")
    args = parser.parse_args()
    names = args.settings or [*TUNE, *HELD_OUT]
    runs = {name: run_world(name, args.users, args.seed, tuple(args.methods), args.cache)
            for name in names}
    command = "python -m lab.bench.heldout " + " ".join(sys.argv[1:])
    for split, members in (("tune", TUNE), ("held_out", HELD_OUT)):
        chosen = [runs[name] for name in members if name in runs]
        if not chosen:
            continue
        print(f"### {split}\n\n`{command}` ({args.users:,} users, seed {args.seed}, "
              f"hold score {HOLD_SCORE})\n")
        print("\n".join(table(chosen, f"all {split}")))
        print()
    print(f"### structure\n\ndetect's weighted user graph (identifiers used by 2 to "
          f"{MAX_SHARE} users, invite edges among them); a ring is inside the largest "
          f"component when most of its members are\n")
    print("\n".join(structure([runs[name] for name in names])))
    print()
    if args.examples:
        for name in names:
            print("\n".join(examples(runs[name])))


if __name__ == "__main__":
    main()
