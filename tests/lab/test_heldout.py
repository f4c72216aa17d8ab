"""The held-out evaluation harness on tiny worlds (pure)."""

import sys

from lab.bench import heldout
from lab.worlds import generate_world
from lab.worlds.settings import NAMED


def test_one_world_is_scored_for_every_method():
    run = heldout.run_world("dense_nat", 1_500, 2)
    _, labels = generate_world(NAMED["dense_nat"], 1_500, 2)
    fraud = {m for ring in labels["rings"] for m in ring["members"]}
    assert set(run.reports) == set(heldout.METHODS)
    for report in run.reports.values():
        everything = report.rows["all"]
        assert everything.true_rings == len(labels["rings"])
        assert report.honest_users == 1_500 - len(fraud)
        assert 0 <= report.honest_flagged() <= report.honest_users
        unmatched = everything.predicted - everything.matched
        assert sum(report.false_rings.values()) == unmatched
    flagged = [r for r in run.detected if r.score >= heldout.HOLD_SCORE]
    assert run.reports["detect"].rows["all"].predicted == len(flagged)
    lines = heldout.table([run], "all")
    assert len(lines) == 2 + len(heldout.METHODS)
    assert all(line.count("|") == lines[0].count("|") for line in lines)


def test_the_command_prints_a_table_per_split(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["heldout", "--users", "1200", "--settings", "baseline",
                                      "low_prevalence", "--examples"])
    heldout.main()
    out = capsys.readouterr().out
    splits = [line for line in out.splitlines() if line.startswith("### ")]
    assert splits == ["### tune", "### held_out", "### structure"]
    assert "`python -m lab.bench.heldout --users 1200 --settings baseline low_prevalence" in out
    assert "| baseline | detect |" in out and "| low_prevalence | louvain_ids |" in out
    assert "#### baseline" in out and "#### low_prevalence" in out


def test_a_cached_world_is_read_back_as_it_was_generated(tmp_path):
    events, labels, projection = heldout.world("baseline", 800, 3, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["baseline-800-3.pkl"]
    again = heldout.world("baseline", 800, 3, tmp_path)
    assert again == (events, labels, projection)
    assert (events, labels) == generate_world(NAMED["baseline"], 800, 3)
