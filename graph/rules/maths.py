"""Rebate rule maths: which rule pays an item, and how many cents each tier earns.

Pure functions over plain data, no database: the worked examples in
tests/graph/test_rules.py read as the specification of this module.
"""

from dataclasses import dataclass, field
from datetime import datetime

BP_DENOMINATOR = 10_000


@dataclass(frozen=True)
class Rule:
    """A rebate rule: tier k earns tiers[k-1] basis points of each eligible item."""

    id: str
    tiers: tuple[int, ...]
    kind: str = "cash"  # or "points"
    category: str | None = None  # None: all categories
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = 0
    created_at: datetime | None = None
    level_bonus_bp: int = 0  # added to a tier's rate per level of that tier's beneficiary
    retired_at: datetime | None = None  # an admin retired it then (None: still active)
    # Settlement windows of the rebates it pays (None: TIERGRAPH_RETURN_WINDOW_DAYS and
    # TIERGRAPH_SETTLEMENT_DELAY_DAYS), and a campaign budget (None: unlimited) with what
    # it had spent when read (in the unit of its kind: cents, or points).
    return_window_days: int | None = None
    settlement_delay_days: int | None = None
    budget_cents: int | None = None
    spent_cents: int = 0

    def active_at(self, at: datetime) -> bool:
        """Whether the rule pays an order paid at `at`: its time window contains `at` (open
        ends are unbounded) and it had not been retired by then."""
        return ((self.starts_at is None or self.starts_at <= at)
                and (self.ends_at is None or at < self.ends_at)
                and (self.retired_at is None or at < self.retired_at))


DEFAULT_RULE = Rule(id="default", tiers=(1000, 500, 200))


MAX_RATE_BP = 10_000
MAX_WINDOW_DAYS = 365
MAX_BUDGET_CENTS = 10**13  # a hundred billion yuan: a typo guard, not a policy


def rule_problems(tiers: list[int], max_tiers: int, max_total_bp: int) -> list[tuple[str, str]]:
    """Why a rule's tiers may not be created, as (problem type, sentence); empty when fine.

    `tier-limit`: more tiers than the cap. `rate-limit`: a rate outside 0..10000 bp, rates
    that increase with depth (a deeper tier may never earn more), or a total over the cap.
    """
    problems: list[tuple[str, str]] = []
    if not tiers:
        problems.append(("rate-limit", "a rule pays at least one tier"))
    if len(tiers) > max_tiers:
        problems.append(("tier-limit", f"{len(tiers)} tiers exceed the cap of {max_tiers} "
                                       f"(TIERGRAPH_MAX_TIERS); deeper rebates are "
                                       "pyramid selling"))
    for tier, bp in enumerate(tiers, start=1):
        if not 0 <= bp <= MAX_RATE_BP:
            problems.append(("rate-limit",
                             f"tier {tier} pays {bp} bp; a rate is 0..{MAX_RATE_BP} bp"))
    for tier in range(1, len(tiers)):
        if tiers[tier] > tiers[tier - 1]:
            problems.append(("rate-limit", f"tier {tier + 1} pays more than tier {tier} "
                                           f"({tiers[tier]} > {tiers[tier - 1]} bp)"))
    if sum(tiers) > max_total_bp:
        problems.append(("rate-limit", f"the tiers total {sum(tiers)} bp, over the cap of "
                                       f"{max_total_bp} bp (TIERGRAPH_MAX_TOTAL_BP)"))
    return problems


@dataclass(frozen=True)
class Item:
    sku: str
    category: str | None
    amount_cents: int


@dataclass
class TierAmount:
    """What one tier earns from one order under one rule kind (cash or points)."""

    tier: int
    kind: str
    amount_cents: int = 0
    rule_ids: list[str] = field(default_factory=list)
    rule_cents: dict[str, int] = field(default_factory=dict)  # amount_cents per rule id


def candidates(item: Item, rules: list[Rule], at: datetime) -> list[Rule]:
    """The active rules that match an item, in precedence order: its category beats
    all-categories, then the higher priority, then the newest."""
    matching = [
        r for r in rules if r.active_at(at) and (r.category is None or r.category == item.category)
    ]
    return sorted(
        matching,
        key=lambda r: (
            r.category is not None,
            r.priority,
            r.created_at or datetime.min.replace(tzinfo=at.tzinfo),
            r.id,
        ),
        reverse=True,
    )


def resolve_rule(item: Item, rules: list[Rule], at: datetime) -> Rule | None:
    """The most specific active rule for an item, budgets aside (see `candidates`)."""
    found = candidates(item, rules, at)
    return found[0] if found else None


def budgets_left(rules: list[Rule]) -> dict[str, int]:
    """What each budgeted rule may still pay, by rule id (never below zero)."""
    return {r.id: max(r.budget_cents - r.spent_cents, 0)
            for r in rules if r.budget_cents is not None}


def window_problems(return_window_days: int | None, settlement_delay_days: int | None,
                    budget_cents: int | None) -> list[str]:
    """Why a rule's windows or budget may not be stored; empty when fine."""
    problems = [f"{name} is {value}; it is 0..{MAX_WINDOW_DAYS} days"
                for name, value in (("return_window_days", return_window_days),
                                    ("settlement_delay_days", settlement_delay_days))
                if value is not None and not 0 <= value <= MAX_WINDOW_DAYS]
    if budget_cents is not None and not 0 <= budget_cents <= MAX_BUDGET_CENTS:
        problems.append(f"budget_cents is {budget_cents}; it is 0..{MAX_BUDGET_CENTS}")
    return problems


def rebate_windows(rule_ids: list[str], rules: list[Rule], window_days: int,
                   delay_days: int) -> tuple[int | None, int | None]:
    """The (return window, settlement delay) in days of a rebate paid by `rule_ids`; None
    where none of those rules sets its own (the global setting then applies when it
    settles). A rebate that adds up items of rules with different windows waits for the
    longest, a rule without its own counting as the global `window_days`/`delay_days`: no
    money is credited before every item it pays for is past its return window."""
    paying = [r for r in rules if r.id in rule_ids]

    def longest(values: list[int | None], default: int) -> int | None:
        if all(v is None for v in values):
            return None
        return max(default if v is None else v for v in values)

    return (longest([r.return_window_days for r in paying], window_days),
            longest([r.settlement_delay_days for r in paying], delay_days))


def tier_rates(rule: Rule, levels: list[int], max_total_bp: int) -> list[int]:
    """Rates in bp per paid tier (one per entry of `levels`, the beneficiaries' levels):
    the rule's rate plus level_bonus_bp per level, each at most 10000 bp. The total never
    exceeds `max_total_bp`: the excess is trimmed from the bonuses first, deepest tier first,
    then from the rule's own rates, deepest first (a rule created under a higher
    TIERGRAPH_MAX_TOTAL_BP than is set now pays only what the setting allows)."""
    base = list(rule.tiers[: len(levels)])
    bonus = [min(rule.level_bonus_bp * level, MAX_RATE_BP - rate)
             for rate, level in zip(base, levels, strict=False)]
    excess = sum(base) + sum(bonus) - max_total_bp
    for parts in (bonus, base):
        for k in reversed(range(len(parts))):
            if excess <= 0:
                break
            cut = min(parts[k], excess)
            parts[k] -= cut
            excess -= cut
    return [rate + extra for rate, extra in zip(base, bonus, strict=True)]


@dataclass
class Payout:
    """An order's shares, and the budgeted rules that turned an item away (in the order met)."""

    shares: list[TierAmount]
    exhausted: list[str]


def pay_items(
    items: list[Item], upline_len: int, rules: list[Rule], at: datetime, max_tiers: int,
    levels: list[int] | None = None, max_total_bp: int = BP_DENOMINATOR,
    budgets: dict[str, int] | None = None,
) -> Payout:
    """Cents per (tier, kind) for an order whose buyer has `upline_len` uplines, whose
    levels (nearest first) are `levels` (0 when not given).

    Each item is paid by its own rule; every tier's share of every item is rounded down to
    the cent. No tier beyond `max_tiers` (the legal cap) or beyond the upline is paid.

    Budgets: `budgets` (rule id -> what it may still pay; `budgets_left(rules)` when not
    given) is lowered by what each item costs its rule, all tiers together. A campaign pays
    an item in full or not at all: an item costing more than its rule has left falls, whole,
    to the next matching rule in precedence order (or to none); a later, cheaper item may
    still be paid from what is left. Callers pass one dict across the orders of a batch.
    """
    if budgets is None:
        budgets = budgets_left(rules)
    paid_tiers = min(max_tiers, upline_len)
    tier_levels = list((levels or [])[:paid_tiers]) + [0] * (paid_tiers - len(levels or []))
    totals: dict[tuple[int, str], TierAmount] = {}
    exhausted: list[str] = []
    for item in items:
        for rule in candidates(item, rules, at):
            rates = tier_rates(rule, tier_levels[: len(rule.tiers)], max_total_bp)
            cents = [item.amount_cents * bp // BP_DENOMINATOR for bp in rates]
            if rule.id in budgets:
                if sum(cents) > budgets[rule.id]:
                    if rule.id not in exhausted:
                        exhausted.append(rule.id)
                    continue
                budgets[rule.id] -= sum(cents)
            for tier, amount in enumerate(cents, start=1):
                entry = totals.setdefault((tier, rule.kind), TierAmount(tier=tier, kind=rule.kind))
                entry.amount_cents += amount
                if rule.id not in entry.rule_ids:
                    entry.rule_ids.append(rule.id)
                entry.rule_cents[rule.id] = entry.rule_cents.get(rule.id, 0) + amount
            break
    return Payout([totals[k] for k in sorted(totals) if totals[k].amount_cents > 0], exhausted)


def tier_amounts(
    items: list[Item], upline_len: int, rules: list[Rule], at: datetime, max_tiers: int,
    levels: list[int] | None = None, max_total_bp: int = BP_DENOMINATOR,
    budgets: dict[str, int] | None = None,
) -> list[TierAmount]:
    """The shares of `pay_items` alone."""
    return pay_items(items, upline_len, rules, at, max_tiers, levels, max_total_bp,
                     budgets).shares


def spend_shares(amount_cents: int, rule_cents: dict[str, int]) -> dict[str, int]:
    """What a rebate of `amount_cents` takes from each of its rules' budgets, given what each
    rule's items earned (`rule_cents`, summing to at least `amount_cents`: a refund may have
    lowered it): in proportion, rounded down, the odd cents to the rules in id order. Never
    more than a rule's own items earned, and summing to exactly `amount_cents`."""
    total = sum(rule_cents.values())
    if amount_cents <= 0 or total <= 0:
        return {}
    shares = {rid: amount_cents * c // total for rid, c in sorted(rule_cents.items())}
    left = amount_cents - sum(shares.values())
    for rid in sorted(rule_cents):
        if left <= 0:
            break
        if shares[rid] < rule_cents[rid]:
            shares[rid] += 1
            left -= 1
    return {rid: c for rid, c in shares.items() if c > 0}


def excluded(items: list[Item], rules: list[Rule], at: datetime) -> Rule | None:
    """The rule that excludes the whole order, if every item falls under a rule paying
    0 bp at every tier (how a category is excluded from rebates); None otherwise."""
    found = [resolve_rule(item, rules, at) for item in items]
    if not found or any(rule is None or any(rule.tiers) for rule in found):
        return None
    return found[0]
