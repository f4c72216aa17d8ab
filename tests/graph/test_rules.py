"""Worked examples of the rule maths (pure: no database). Each row reads as a spec line."""

from datetime import UTC, datetime

import pytest

from graph.rules.maths import DEFAULT_RULE, Item, Rule, resolve_rule, tier_amounts

PAID = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
BEAUTY_LAUNCH = Rule(id="beauty-launch", tiers=(1500, 600), category="beauty",
                     starts_at=datetime(2026, 3, 1, tzinfo=UTC),
                     ends_at=datetime(2026, 4, 1, tzinfo=UTC))
FOOD_POINTS = Rule(id="food-points", tiers=(300, 100, 50), kind="points", category="food")

# items (category, cents) | rules | uplines | cap -> {(tier, kind): cents}
EXAMPLES = [
    ("one item, default rule, three uplines",
     [("beauty", 12900)], [DEFAULT_RULE], 3, 3,
     {(1, "cash"): 1290, (2, "cash"): 645, (3, "cash"): 258}),
    ("a chain deeper than three still pays three tiers",
     [("beauty", 10000)], [DEFAULT_RULE], 6, 3,
     {(1, "cash"): 1000, (2, "cash"): 500, (3, "cash"): 200}),
    ("WeChat cap of two tiers",
     [("beauty", 10000)], [DEFAULT_RULE], 6, 2,
     {(1, "cash"): 1000, (2, "cash"): 500}),
    ("only as many tiers as the buyer has uplines",
     [("beauty", 10000)], [DEFAULT_RULE], 1, 3,
     {(1, "cash"): 1000}),
    ("no inviter, no rebate",
     [("beauty", 10000)], [DEFAULT_RULE], 0, 3, {}),
    ("rounded down per item and tier: 3 x 333 cents at 10% is 3 x 33, not 99.9 -> 99",
     [("food", 333), ("food", 333), ("food", 333)], [DEFAULT_RULE], 3, 3,
     {(1, "cash"): 99, (2, "cash"): 48, (3, "cash"): 18}),
    ("rounding per item, not on the order total: 199 + 199 at 5% is 9 + 9",
     [("home", 199), ("home", 199)], [DEFAULT_RULE], 3, 3,
     {(1, "cash"): 38, (2, "cash"): 18, (3, "cash"): 6}),
    ("a category rule beats the default for its items only",
     [("beauty", 10000), ("home", 10000)], [DEFAULT_RULE, BEAUTY_LAUNCH], 3, 3,
     {(1, "cash"): 1500 + 1000, (2, "cash"): 600 + 500, (3, "cash"): 200}),
    ("points rules pay points, shown apart from cash",
     [("food", 10000), ("home", 10000)], [DEFAULT_RULE, FOOD_POINTS], 3, 3,
     {(1, "cash"): 1000, (2, "cash"): 500, (3, "cash"): 200,
      (1, "points"): 300, (2, "points"): 100, (3, "points"): 50}),
    ("an item worth less than a cent at a tier earns nothing there",
     [("home", 9)], [DEFAULT_RULE], 3, 3, {}),
]


@pytest.mark.parametrize(("title", "items", "rules", "uplines", "cap", "expected"), EXAMPLES,
                         ids=[e[0] for e in EXAMPLES])
def test_worked_examples(title, items, rules, uplines, cap, expected):
    order = [Item(sku=f"s{n}", category=c, amount_cents=a) for n, (c, a) in enumerate(items)]
    paid = {(t.tier, t.kind): t.amount_cents
            for t in tier_amounts(order, uplines, rules, PAID, cap)}
    assert paid == expected


VIP = Rule(id="vip", tiers=(1000, 500, 200), level_bonus_bp=100)

# items | rules | beneficiary levels (tier 1 first) | total cap bp -> cents per tier
LEVEL_EXAMPLES = [
    ("levels 0: no bonus", [("home", 10000)], [VIP], [0, 0, 0], 3000,
     {1: 1000, 2: 500, 3: 200}),
    ("tier 1 at level 2 earns 2 x 100 bp more", [("home", 10000)], [VIP], [2, 0, 1], 3000,
     {1: 1200, 2: 500, 3: 300}),
    ("bonuses trimmed deepest first to stay under a 2000 bp total", [("home", 10000)], [VIP],
     [5, 5, 5], 2000, {1: 1300, 2: 500, 3: 200}),
    ("the default rule has no level bonus", [("home", 10000)], [DEFAULT_RULE], [9, 9, 9], 3000,
     {1: 1000, 2: 500, 3: 200}),
    ("rounded down per item after the bonus", [("home", 333), ("home", 333)], [VIP], [1, 0, 0],
     3000, {1: 72, 2: 32, 3: 12}),
    ("a total cap lowered since the rule was made cuts its own rates, deepest first",
     [("home", 10000)], [VIP], [0, 0, 0], 1200, {1: 1000, 2: 200}),
    ("bonuses go before the rule's own rates", [("home", 10000)], [VIP], [3, 0, 0], 1500,
     {1: 1000, 2: 500}),
]


@pytest.mark.parametrize(("title", "items", "rules", "levels", "total_cap", "expected"),
                         LEVEL_EXAMPLES, ids=[e[0] for e in LEVEL_EXAMPLES])
def test_level_bonus_examples(title, items, rules, levels, total_cap, expected):
    order = [Item(sku=f"s{n}", category=c, amount_cents=a) for n, (c, a) in enumerate(items)]
    paid = tier_amounts(order, 3, rules, PAID, 3, levels=levels, max_total_bp=total_cap)
    assert {t.tier: t.amount_cents for t in paid} == expected


def test_launch_rule_only_inside_its_window():
    item = Item(sku="s", category="beauty", amount_cents=100)
    rules = [DEFAULT_RULE, BEAUTY_LAUNCH]
    assert resolve_rule(item, rules, PAID).id == "beauty-launch"
    assert resolve_rule(item, rules, datetime(2026, 4, 1, tzinfo=UTC)).id == "default"


def test_priority_then_newest_break_ties_between_equally_specific_rules():
    old = Rule(id="old", tiers=(100,), priority=1, created_at=datetime(2026, 1, 1, tzinfo=UTC))
    new = Rule(id="new", tiers=(200,), priority=1, created_at=datetime(2026, 2, 1, tzinfo=UTC))
    low = Rule(id="low", tiers=(900,), priority=0, created_at=datetime(2026, 3, 1, tzinfo=UTC))
    item = Item(sku="s", category=None, amount_cents=100)
    assert resolve_rule(item, [old, new, low], PAID).id == "new"


def test_a_rule_pays_orders_paid_before_it_was_retired_and_none_after():
    retired = Rule(id="campaign", tiers=(3000,), category="beauty",
                   retired_at=datetime(2026, 3, 1, 12, tzinfo=UTC))
    item = Item(sku="s", category="beauty", amount_cents=100)
    rules = [DEFAULT_RULE, retired]
    assert resolve_rule(item, rules, datetime(2026, 3, 1, 11, tzinfo=UTC)).id == "campaign"
    assert resolve_rule(item, rules, datetime(2026, 3, 1, 12, tzinfo=UTC)).id == "default"
