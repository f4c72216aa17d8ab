"""Fits the ring score's weights (graph.risk.scoring.WEIGHTS, BIAS) on the tune worlds only.

    python -m lab.bench.fit_weights [--users 20000] [--seed 1] [--margin 1.5]

Generates the tune worlds of lab.worlds and lab.fraudgen malls (seeds 1 and 2), runs
detection, labels every community it scored (a true ring when it and a planted ring have
Jaccard similarity of 0.5 or more), and fits a logistic regression on the communities'
features: rings weigh 1, a false community the square root of its honest members (a large
promotion held is many people's money). Prints the weights and the bias to paste into
scoring.py; the bias is the fitted one minus --margin, which trades precision for recall at
the service's hold score (chosen on the tune worlds). The held-out worlds are never read:
lab.bench.heldout reports on them.
"""

import argparse
import sys
from collections.abc import Callable
from typing import Any

from graph.risk.communities import detect
from graph.risk.projection import projection_from_events
from lab.fraudgen import generate_mall
from lab.worlds import NAMED, TUNE, generate_world

MATCH = 0.5
FRAUDGEN_SEEDS = (1, 2)


def labelled(events: list[dict[str, Any]], labels: dict[str, Any],
             seed: int) -> list[tuple[dict[str, float], int, int]]:
    """(features, 1 for a true ring else 0, honest members) per community detection scored."""
    truth = [set(r["members"]) for r in labels["rings"]]
    fraud = set().union(*truth) if truth else set()
    rows = []
    for ring in detect(projection_from_events(events), seed=seed):
        members = set(ring.members)
        best = max((len(members & t) / len(members | t) for t in truth if members & t),
                   default=0.0)
        rows.append((ring.features, int(best >= MATCH), len(members - fraud)))
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--margin", type=float, default=1.5)
    args = parser.parse_args(argv)
    # scikit-learn is a lab tool here; the service's score is the plain formula in scoring.py
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    makers: list[tuple[str, Callable[[], tuple[list[dict[str, Any]], dict[str, Any]]]]] = [
        (name, lambda name=name: generate_world(NAMED[name], args.users, args.seed))
        for name in TUNE]
    makers += [(f"fraudgen-{s}", lambda s=s: generate_mall(args.users, s))
               for s in FRAUDGEN_SEEDS]
    rows: list[tuple[dict[str, float], int, int]] = []
    for name, make in makers:
        events, labels = make()
        found = labelled(events, labels, args.seed)
        rows += found
        print(f"{name}: {len(found):,} communities, {sum(r[1] for r in found)} rings",
              file=sys.stderr, flush=True)
    names = sorted({name for features, _, _ in rows for name in features})
    x = np.array([[features.get(n, 0.0) for n in names] for features, _, _ in rows])
    y = np.array([label for _, label, _ in rows])
    weight = np.array([1.0 if label else max(1, honest) ** 0.5 for _, label, honest in rows])
    model = LogisticRegression(C=1.0, max_iter=10_000).fit(x, y, sample_weight=weight)
    print("WEIGHTS = {")
    for name, coefficient in zip(names, model.coef_[0], strict=True):
        print(f'    "{name}": {coefficient:.1f},')
    print("}")
    print(f"BIAS = {-model.intercept_[0] - args.margin:.1f}")


if __name__ == "__main__":
    main()
