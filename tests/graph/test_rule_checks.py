"""Rule creation checks (pure): the cap, rates, monotony, the total."""

import pytest

from graph.rules.maths import rule_problems


@pytest.mark.parametrize(("tiers", "cap", "expected"), [
    ([1000, 500, 200], 3, []),
    ([1000, 500], 2, []),
    ([1000, 500, 200], 2, ["tier-limit"]),
    ([1000, 500, 200, 100], 3, ["tier-limit"]),
    ([10001], 3, ["rate-limit", "rate-limit"]),  # over 10000 bp, and over the 3000 bp total
    ([-5], 3, ["rate-limit"]),
    ([500, 1000], 3, ["rate-limit"]),  # deeper pays more
    ([2000, 1000, 500], 3, ["rate-limit"]),  # total 3500 over 3000
    ([], 3, ["rate-limit"]),
])
def test_rule_problems(tiers, cap, expected):
    assert [kind for kind, _ in rule_problems(tiers, cap, 3000)] == expected
