"""Worked examples of campaign budgets and per-rule settlement windows (pure: no database)."""

from datetime import UTC, datetime

import pytest

from graph.money.rebates import apply_risk, budget_spend, plan_rebates
from graph.rules.maths import (
    DEFAULT_RULE,
    Item,
    Rule,
    budgets_left,
    pay_items,
    rebate_windows,
    spend_shares,
    window_problems,
)
from graph.settings import get_settings

PAID = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
# 10% / 5% of each beauty item while 300 cents last; the default rule pays 10/5/2%.
CAMPAIGN = Rule(id="beauty-campaign", tiers=(1000, 500), category="beauty", budget_cents=300)


def beauty(*cents: int) -> list[Item]:
    return [Item(sku=f"s{n}", category="beauty", amount_cents=c) for n, c in enumerate(cents)]


def by_rule(payout) -> dict[tuple[int, str], int]:
    return {(s.tier, rule_id): cents for s in payout.shares for rule_id, cents in
            s.rule_cents.items()}


def test_a_campaign_pays_whole_items_while_its_budget_lasts_the_rest_fall_to_the_next_rule():
    """Items of 1000 cost the campaign 100 + 50 = 150 each: two fit in 300, the third falls
    whole to the default rule (100 + 50 + 20)."""
    budgets = budgets_left([DEFAULT_RULE, CAMPAIGN])
    payout = pay_items(beauty(1000, 1000, 1000), 3, [DEFAULT_RULE, CAMPAIGN], PAID, 3,
                       budgets=budgets)
    assert by_rule(payout) == {
        (1, "beauty-campaign"): 200, (2, "beauty-campaign"): 100,
        (1, "default"): 100, (2, "default"): 50, (3, "default"): 20,
    }
    assert budgets == {"beauty-campaign": 0}
    assert payout.exhausted == ["beauty-campaign"]


def test_a_later_cheaper_item_is_still_paid_from_what_is_left():
    """200 left: an item costing 300 falls through, the next one costing 150 is paid."""
    budgets = {"beauty-campaign": 200}
    payout = pay_items(beauty(2000, 1000), 3, [DEFAULT_RULE, CAMPAIGN], PAID, 3,
                       budgets=budgets)
    assert by_rule(payout)[(1, "beauty-campaign")] == 100
    assert by_rule(payout)[(1, "default")] == 200
    assert budgets == {"beauty-campaign": 50}


def test_the_budget_is_shared_across_the_orders_of_a_batch():
    budgets = budgets_left([CAMPAIGN])
    paid = [pay_items(beauty(1000), 2, [CAMPAIGN], PAID, 3, budgets=budgets) for _ in range(3)]
    assert [sum(s.amount_cents for s in p.shares) for p in paid] == [150, 150, 0]
    assert [p.exhausted for p in paid] == [[], [], ["beauty-campaign"]]


def test_what_was_spent_before_counts():
    spent = Rule(id="c", tiers=(1000,), budget_cents=300, spent_cents=250)
    assert budgets_left([spent, DEFAULT_RULE]) == {"c": 50}
    assert budgets_left([Rule(id="over", tiers=(1,), budget_cents=5, spent_cents=9)]) == \
        {"over": 0}


def test_a_zero_budget_never_pays_and_a_buyer_without_inviter_costs_nothing():
    closed = Rule(id="closed", tiers=(1000,), budget_cents=0)
    assert pay_items(beauty(1000), 3, [closed], PAID, 3).shares == []
    budgets = {"closed": 0}
    assert pay_items(beauty(1000), 0, [closed], PAID, 3, budgets=budgets).exhausted == []


def context(order_id: str, cents: list[int], refunded: int = 0) -> dict:
    return {"order_id": order_id, "buyer": "b", "upline": ["t1", "t2"], "levels": [0, 0],
            "disabled": [False, False], "skus": [f"s{n}" for n in range(len(cents))],
            "categories": ["beauty"] * len(cents), "amounts": cents,
            "order_cents": sum(cents), "refunded_cents": refunded,
            "paid_at": PAID.isoformat()}


def test_nothing_else_to_pay_is_void_budget_exhausted_per_tier():
    budgets = {"beauty-campaign": 100}
    rows = plan_rebates(context("o", [1000]), [CAMPAIGN], 3, budgets)
    assert [(r["tier"], r["status"], r["reason"], r["amount_cents"], r["rule_ids"])
            for r in rows] == [(1, "void", "budget_exhausted", 0, ["beauty-campaign"]),
                               (2, "void", "budget_exhausted", 0, ["beauty-campaign"])]
    assert budget_spend(rows) == {}


def test_spend_counts_what_is_paid_after_a_refund_and_nothing_voided():
    budgets = budgets_left([CAMPAIGN])
    rows = plan_rebates(context("half", [1000, 1000], refunded=1000), [CAMPAIGN], 3, budgets)
    assert [(r["amount_cents"], r["reason"]) for r in rows] == [(100, "partial_refund"),
                                                                (50, "partial_refund")]
    assert budget_spend(rows) == {"beauty-campaign": 150}
    assert budgets == {"beauty-campaign": 0}  # the refunded item's share was set aside
    ring = plan_rebates(context("ring", [1000]), [CAMPAIGN], 3, {"beauty-campaign": 300})
    apply_risk(ring, {"b": "void"})
    assert budget_spend(ring) == {}


@pytest.mark.parametrize("amount, rule_cents, expected", [
    (150, {"a": 150}, {"a": 150}),
    (99, {"a": 100, "b": 50}, {"a": 66, "b": 33}),
    (100, {"a": 1, "b": 1, "c": 99}, {"a": 1, "b": 1, "c": 98}),
    (0, {"a": 10}, {}),
])
def test_a_rebate_of_several_rules_is_charged_in_proportion_never_over_their_items(
        amount, rule_cents, expected):
    shares = spend_shares(amount, rule_cents)
    assert shares == expected
    assert sum(shares.values()) == amount
    assert all(shares[k] <= rule_cents[k] for k in shares)


def test_windows_of_a_rebate_come_from_the_rules_that_paid_it():
    fast = Rule(id="fast", tiers=(100,), return_window_days=1, settlement_delay_days=0)
    slow = Rule(id="slow", tiers=(100,), return_window_days=7, settlement_delay_days=7)
    plain = Rule(id="plain", tiers=(100,))
    rules = [fast, slow, plain]
    assert rebate_windows(["fast"], rules, 14, 3) == (1, 0)
    assert rebate_windows(["plain"], rules, 14, 3) == (None, None)  # the setting, when settled
    assert rebate_windows(["fast", "slow"], rules, 14, 3) == (7, 7)  # the longest
    assert rebate_windows(["fast", "plain"], rules, 14, 3) == (14, 3)  # the global is longer


def test_plan_rebates_stores_the_windows_on_each_rebate():
    t1 = Rule(id="t1", tiers=(1000,), category="beauty", return_window_days=1,
              settlement_delay_days=1)
    rows = plan_rebates(context("o", [1000]), [DEFAULT_RULE, t1], 3)
    assert {(r["return_window_days"], r["settlement_delay_days"]) for r in rows} == {(1, 1)}
    rows = plan_rebates(context("p", [1000]), [DEFAULT_RULE], 3)
    assert {(r["return_window_days"], r["settlement_delay_days"]) for r in rows} == \
        {(None, None)}
    settings = get_settings()
    mixed = plan_rebates({**context("m", [1000, 1000]), "categories": ["beauty", "home"]},
                         [DEFAULT_RULE, t1], 3)
    assert (mixed[0]["return_window_days"], mixed[0]["settlement_delay_days"]) == (
        max(1, settings.return_window_days), max(1, settings.settlement_delay_days))


@pytest.mark.parametrize("window, delay, budget, ok", [
    (0, 0, 0, True), (365, 365, 10**13, True), (None, None, None, True),
    (366, None, None, False), (None, -1, None, False), (None, None, -5, False),
    (None, None, 10**13 + 1, False),
])
def test_window_and_budget_bounds(window, delay, budget, ok):
    assert (window_problems(window, delay, budget) == []) is ok
