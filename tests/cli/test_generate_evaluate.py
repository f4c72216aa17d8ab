"""`tiergraph generate` writes a labelled mall; `tiergraph evaluate` scores detection on it
against the connected-components baseline (pure: no services)."""

import json
import subprocess
import sys


def tiergraph(*args):
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True,
                          text=True, timeout=300)


def test_generate_then_evaluate_prints_both_methods_per_kind(tmp_path):
    made = tiergraph("generate", "--out", str(tmp_path), "--users", "3000", "--seed", "4")
    assert made.returncode == 0, made.stderr
    labels = json.loads((tmp_path / "labels.json").read_text())
    kinds = {ring["kind"] for ring in labels["rings"]}
    assert len(kinds) >= 4 and labels["groups"]["household"]

    scored = tiergraph("evaluate", str(tmp_path), "--no-snapshots")
    assert scored.returncode == 0, scored.stderr
    rows = {}
    for line in scored.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 11 and cells[0] in ("louvain", "components"):
            rows[(cells[0], cells[1])] = cells
    assert {("louvain", "all"), ("components", "all")} <= set(rows)
    assert {("louvain", f"kind:{kind}") for kind in kinds} <= set(rows)
    assert int(rows[("louvain", "all")][2]) == len(labels["rings"])  # true rings counted
    assert float(rows[("louvain", "all")][7]) > float(rows[("components", "all")][7])  # F1
