"""Rebates of paid orders: computed once per order, whoever asks first (API or worker).

Exactly-once comes from the order's write lock: a transaction locks the orders (sorted ids),
then reads which are still uncomputed, computes those with the rule maths, stores the rebates
and marks the orders computed before it commits. A second transaction waits on the lock and
then finds nothing left to do. Rebate ids are deterministic (`order:t1:cash`) as a second guard.
"""

from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graph import db
from graph.rules import DEFAULT_RULE, Item, Rule, tier_amounts
from graph.settings import get_settings


def load_rules(tx: ManagedTransaction) -> list[Rule]:
    """The active rules stored in the graph."""
    return [
        Rule(
            id=r["id"],
            tiers=tuple(r["tiers"]),
            kind=r["kind"],
            category=r["category"],
            starts_at=db.to_native(r["starts_at"]),
            ends_at=db.to_native(r["ends_at"]),
            priority=r["priority"] or 0,
            created_at=db.to_native(r["created_at"]),
        )
        for r in db.run(tx, "rules.active")
    ]


def ensure_default_rule() -> None:
    """Store the default rule at start-up if the graph has none by that id."""
    db.write_query(
        "rules.ensure_default", tiers=list(DEFAULT_RULE.tiers), now=datetime.now(UTC)
    )


def plan_rebates(context: dict[str, Any], rules: list[Rule], max_tiers: int) -> list[dict[str, Any]]:
    """The rebate rows of one order from its stored context (pure)."""
    items = [
        Item(sku=sku, category=category or None, amount_cents=amount)
        for sku, category, amount in zip(
            context["skus"], context["categories"], context["amounts"], strict=True
        )
    ]
    upline: list[str] = context["upline"]
    paid_at = db.to_native(context["paid_at"])
    rows = []
    for share in tier_amounts(items, len(upline), rules, paid_at, max_tiers):
        beneficiary = upline[share.tier - 1]
        rows.append({
            "rebate_id": f"{context['order_id']}:t{share.tier}:{share.kind}",
            "order_id": context["order_id"],
            "beneficiary": beneficiary,
            "tier": share.tier,
            "kind": share.kind,
            "amount_cents": share.amount_cents,
            "path": [context["buyer"], *upline[: share.tier]],
            "paid_at": context["paid_at"],
            "rule_ids": share.rule_ids,
        })
    return rows


def _compute_in_tx(tx: ManagedTransaction, order_ids: list[str]) -> int:
    db.run(tx, "rebates.lock_orders", ids=order_ids)
    contexts = db.run(tx, "rebates.order_context", ids=order_ids)
    if not contexts:
        return 0
    rules = load_rules(tx) or [DEFAULT_RULE]
    max_tiers = get_settings().max_tiers
    rows = [row for c in contexts for row in plan_rebates(c, rules, max_tiers)]
    db.run(
        tx,
        "rebates.create",
        rows=rows,
        order_ids=[c["order_id"] for c in contexts],
        now=datetime.now(UTC),
    )
    return len(contexts)


def compute_rebates(order_ids: list[str]) -> int:
    """Compute the rebates of every listed order not yet computed; returns how many were."""
    pending = sorted({
        r["id"] for r in db.read_query("rebates.order_flags", ids=list(order_ids))
        if not r["computed"]
    })
    if not pending:
        return 0
    return db.write(lambda tx: _compute_in_tx(tx, pending))


def rebates_of_orders(order_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Stored rebates per order id (unknown orders are absent)."""
    rows = db.read_query("rebates.for_orders", ids=list(order_ids))
    return {r["order_id"]: r for r in rows}


def payouts(order_id: str) -> dict[str, Any] | None:
    """The order's rebates, computed now if no one has yet; None for an unknown order."""
    stored = rebates_of_orders([order_id]).get(order_id)
    if stored is None:
        return None
    if not stored["computed"]:
        compute_rebates([order_id])
        stored = rebates_of_orders([order_id])[order_id]
    return stored


def uncomputed_orders(older_than_seconds: int, limit: int) -> list[str]:
    """Orders whose rebates were never computed, paid more than the given seconds ago."""
    before = datetime.now(UTC).timestamp() - older_than_seconds
    rows = db.read_query(
        "rebates.uncomputed", before=datetime.fromtimestamp(before, UTC), limit=limit
    )
    return [r["id"] for r in rows]


def rebate_path(rebate_id: str) -> dict[str, Any] | None:
    """The path certificate of a rebate, or None if there is no such rebate."""
    rows = db.read_query("rebates.path", rebate_id=rebate_id)
    if not rows:
        return None
    row = rows[0]
    row["paid_at"] = db.to_native(row["paid_at"])
    return row
