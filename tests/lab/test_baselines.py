"""The connected-components baseline (pure)."""

from graph.risk.projection import Projection, Usage, UserInfo
from lab.baselines import baseline_components


def test_baseline_joins_everyone_sharing_anything():
    projection = Projection(
        users={u: UserInfo(0.0, None) for u in "abcde"},
        usages=[Usage("a", "device", "d1", 0, 0, 1), Usage("b", "device", "d1", 0, 0, 1),
                Usage("b", "address", "x", 0, 0, 1), Usage("c", "address", "x", 0, 0, 1),
                Usage("d", "ip", "9.9.9.9", 0, 0, 1)],
        orders=[])
    assert baseline_components(projection) == [["a", "b", "c"]]
