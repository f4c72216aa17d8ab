"""Ring ids stay across runs while the members mostly stay (pure)."""

from graph.risk.ring_ids import mint_ring_id, stable_ring_ids


def test_ring_ids_stay_when_members_mostly_stay():
    previous = {"ring-old": ["a", "b", "c", "d"], "ring-other": ["x", "y"]}
    new = [["a", "b", "c", "e"], ["a", "b", "c", "d", "f"], ["p", "q"]]
    ids = stable_ring_ids(new, previous)
    # Jaccard 3/5 vs 4/5: the better overlap keeps the id, one to one.
    assert ids[1] == "ring-old"
    assert ids[0] == mint_ring_id(["a", "b", "c", "e"]) != ids[1]
    assert ids[2] == mint_ring_id(["q", "p"]) and ids[2].startswith("ring-")
    assert stable_ring_ids(new, previous) == ids
    assert stable_ring_ids([["x", "y", "z"]], previous) == ["ring-other"]  # 2/3 > 0.5
    assert stable_ring_ids([["x", "z"]], previous) != ["ring-other"]  # 1/3
