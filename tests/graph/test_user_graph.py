"""Pair weights of the user-user graph: rarity and closeness in time (pure)."""

import pytest

from graph.risk.user_graph import MAX_SHARE, closeness, identifier_weight


def test_a_nat_ip_weighs_almost_nothing_and_a_small_shared_device_a_lot():
    assert identifier_weight("ip", 2_000) == 0.0  # skipped: more users than MAX_SHARE
    assert identifier_weight("ip", MAX_SHARE) < 0.005
    assert identifier_weight("device", 5) == pytest.approx(0.25)
    assert identifier_weight("device", 2) == 1.0
    assert identifier_weight("device", 1) == 0.0
    day = 86_400
    assert closeness(0, day, day / 2, 2 * day) == 1.0
    assert closeness(0, 0, 90 * day, 90 * day) < 0.05
