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

    def active_at(self, at: datetime) -> bool:
        """Whether the rule pays an order paid at `at`: its time window contains `at` (open
        ends are unbounded) and it had not been retired by then."""
        return ((self.starts_at is None or self.starts_at <= at)
                and (self.ends_at is None or at < self.ends_at)
                and (self.retired_at is None or at < self.retired_at))


DEFAULT_RULE = Rule(id="default", tiers=(1000, 500, 200))


MAX_RATE_BP = 10_000


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


def resolve_rule(item: Item, rules: list[Rule], at: datetime) -> Rule | None:
    """The most specific active rule for an item: its category beats all-categories,
    then the higher priority, then the newest."""
    candidates = [
        r for r in rules if r.active_at(at) and (r.category is None or r.category == item.category)
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda r: (
            r.category is not None,
            r.priority,
            r.created_at or datetime.min.replace(tzinfo=at.tzinfo),
            r.id,
        ),
    )


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


def tier_amounts(
    items: list[Item], upline_len: int, rules: list[Rule], at: datetime, max_tiers: int,
    levels: list[int] | None = None, max_total_bp: int = BP_DENOMINATOR,
) -> list[TierAmount]:
    """Cents per (tier, kind) for an order whose buyer has `upline_len` uplines, whose
    levels (nearest first) are `levels` (0 when not given).

    Each item is paid by its own rule; every tier's share of every item is rounded down to
    the cent. No tier beyond `max_tiers` (the legal cap) or beyond the upline is paid.
    """
    paid_tiers = min(max_tiers, upline_len)
    tier_levels = list((levels or [])[:paid_tiers]) + [0] * (paid_tiers - len(levels or []))
    totals: dict[tuple[int, str], TierAmount] = {}
    for item in items:
        rule = resolve_rule(item, rules, at)
        if rule is None:
            continue
        rates = tier_rates(rule, tier_levels[: len(rule.tiers)], max_total_bp)
        for tier, bp in enumerate(rates, start=1):
            cents = item.amount_cents * bp // BP_DENOMINATOR
            entry = totals.setdefault((tier, rule.kind), TierAmount(tier=tier, kind=rule.kind))
            entry.amount_cents += cents
            if rule.id not in entry.rule_ids:
                entry.rule_ids.append(rule.id)
    return [totals[k] for k in sorted(totals) if totals[k].amount_cents > 0]


def excluded(items: list[Item], rules: list[Rule], at: datetime) -> Rule | None:
    """The rule that excludes the whole order, if every item falls under a rule paying
    0 bp at every tier (how a category is excluded from rebates); None otherwise."""
    found = [resolve_rule(item, rules, at) for item in items]
    if not found or any(rule is None or any(rule.tiers) for rule in found):
        return None
    return found[0]
