"""What-if: replay a period's orders under a draft rule, next to the rules in force.

Reads orders page by page (paid_at, id cursor), computes both answers with the same pure
rule maths the real payouts use (refunds lower them in the same proportion), and writes
nothing.

Campaign budgets: each answer replays the period with every budget at its full
budget_cents (what was spent for real is not counted: the replay pays the period again),
spent in paid_at order, an item falling to the next rule once its campaign cannot pay it,
as `pay_items` decides for the real computation. The real one spends in the order orders
are computed (nearly paid order), and does not count voided rebates: the answers may
differ by that much.
"""

import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from graph import db
from graph.money.rebates import refunded_share
from graph.rules.book import load_rules
from graph.rules.maths import DEFAULT_RULE, Item, Rule, budgets_left, tier_amounts
from graph.settings import LEGAL_MAX_TIERS, get_settings

PAGE = 5000
EPOCH = datetime(1970, 1, 1).astimezone()


def _cents_by_tier(rows: list[dict[str, Any]], rules: list[Rule], cap: int,
                   max_total_bp: int, kind: str, budgets: dict[str, int]) -> list[int]:
    totals = [0] * LEGAL_MAX_TIERS
    for row in rows:
        items = [Item(sku="", category=c or None, amount_cents=a)
                 for c, a in zip(row["categories"], row["amounts"], strict=True)]
        levels = row["levels"]
        shares = tier_amounts(items, len(levels), rules, row["paid_at"], cap, levels=levels,
                              max_total_bp=max_total_bp, budgets=budgets)
        for share in shares:
            if share.kind == kind:
                totals[share.tier - 1] += refunded_share(share.amount_cents, row["order_cents"],
                                                         row["refunded_cents"])
    return totals


def simulate(draft: Rule, start: datetime, end: datetime) -> dict[str, Any]:
    """Per-tier and total cents the draft (added to the rules in force) would have paid for
    orders paid in [start, end), and what the rules in force pay, in the draft's kind."""
    settings = get_settings()
    cap, max_total = settings.max_tiers, settings.max_total_bp
    current = [replace(r, spent_cents=0) for r in db.read(load_rules) or [DEFAULT_RULE]]
    proposed = [r for r in current if r.id != draft.id] + [draft]
    started = time.perf_counter()
    orders = 0
    with_draft = [0] * LEGAL_MAX_TIERS
    in_force = [0] * LEGAL_MAX_TIERS
    scenarios = ((with_draft, proposed, budgets_left(proposed)),
                 (in_force, current, budgets_left(current)))
    after_at, after_id = EPOCH, ""
    while True:
        rows = db.read_query("rules.simulation_orders", **{"from": start}, to=end,
                             after_at=after_at, after_id=after_id, limit=PAGE)
        if not rows:
            break
        for row in rows:
            row["paid_at"] = db.to_native(row["paid_at"])
        orders += len(rows)
        for totals, rules, budgets in scenarios:
            page = _cents_by_tier(rows, rules, cap, max_total, draft.kind, budgets)
            for k, cents in enumerate(page):
                totals[k] += cents
        after_at, after_id = rows[-1]["paid_at"], rows[-1]["order_id"]
        if len(rows) < PAGE:
            break
    return {
        "orders": orders,
        "kind": draft.kind,
        "per_tier_cents": with_draft[:cap],
        "total_cents": sum(with_draft[:cap]),
        "current_per_tier_cents": in_force[:cap],
        "current_total_cents": sum(in_force[:cap]),
        "vs_current_cents": sum(with_draft[:cap]) - sum(in_force[:cap]),
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
    }
