"""The connected-components baseline (pure)."""

from graph.risk.projection import Projection, Usage, UserInfo
from lab.baselines import baseline_components, baseline_louvain


def test_baseline_joins_everyone_sharing_anything():
    projection = Projection(
        users={u: UserInfo(0.0, None) for u in "abcde"},
        usages=[Usage("a", "device", "d1", 0, 0, 1), Usage("b", "device", "d1", 0, 0, 1),
                Usage("b", "address", "x", 0, 0, 1), Usage("c", "address", "x", 0, 0, 1),
                Usage("d", "ip", "9.9.9.9", 0, 0, 1)],
        orders=[])
    assert baseline_components(projection) == [["a", "b", "c"]]


def test_plain_louvain_splits_what_components_join():
    # Two tight pairs linked by one weak tie: components join them, Louvain does not.
    usages = [Usage("a", "device", "d1", 0, 0, 1), Usage("b", "device", "d1", 0, 0, 1),
              Usage("a", "payment_account", "p1", 0, 0, 1),
              Usage("b", "payment_account", "p1", 0, 0, 1),
              Usage("c", "device", "d2", 0, 0, 1), Usage("d", "device", "d2", 0, 0, 1),
              Usage("c", "payment_account", "p2", 0, 0, 1),
              Usage("d", "payment_account", "p2", 0, 0, 1),
              Usage("b", "address", "x", 0, 0, 1), Usage("c", "address", "x", 0, 0, 1),
              Usage("e", "ip", "9.9.9.9", 0, 0, 1)]
    projection = Projection(users={u: UserInfo(0.0, None) for u in "abcde"}, usages=usages,
                            orders=[])
    assert baseline_components(projection) == [["a", "b", "c", "d"]]
    assert baseline_louvain(projection, seed=1) == [["a", "b"], ["c", "d"]]
    assert baseline_louvain(projection, seed=1) == baseline_louvain(projection, seed=1)
