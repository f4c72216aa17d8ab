"""Pair weights of the user-user graph: rarity and closeness in time (pure)."""

import pytest

from graph.risk.projection import Projection, Usage, UserInfo
from graph.risk.user_graph import (
    MAX_SHARE,
    Index,
    build_user_graph,
    closeness,
    identifier_weight,
    shared_groups,
)


def test_a_nat_ip_weighs_almost_nothing_and_a_small_shared_device_a_lot():
    assert identifier_weight("ip", 2_000) == 0.0  # skipped: more users than MAX_SHARE
    assert identifier_weight("ip", MAX_SHARE) < 0.005
    assert identifier_weight("device", 5) == pytest.approx(0.25)
    assert identifier_weight("device", 2) == 1.0
    assert identifier_weight("device", 1) == 0.0
    day = 86_400
    assert closeness(0, day, day / 2, 2 * day) == 1.0
    assert closeness(0, 0, 90 * day, 90 * day) < 0.05


def test_only_a_shared_device_or_payment_account_makes_a_strong_pair():
    users = {u: UserInfo(0.0, None) for u in "abcd"}
    usages = [Usage("a", "device", "phone", 0.0, 10.0, 2),
              Usage("b", "device", "phone", 0.0, 10.0, 2),
              Usage("b", "payment_account", "card", 0.0, 10.0, 1),
              Usage("c", "payment_account", "card", 0.0, 10.0, 1),
              Usage("c", "address", "home", 0.0, 10.0, 1),
              Usage("d", "address", "home", 0.0, 10.0, 1),
              Usage("c", "ip", "line", 0.0, 10.0, 1), Usage("d", "ip", "line", 0.0, 10.0, 1)]
    projection = Projection(users=users, usages=usages, orders=[])
    index = Index(projection)
    graph = build_user_graph(shared_groups(projection, index), index)
    ids = index.ids
    assert graph.strong == {(ids["a"], ids["b"]), (ids["b"], ids["c"])}
    assert (ids["c"], ids["d"]) in graph.id_edges
