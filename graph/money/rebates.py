"""Rebates of paid orders: computed once per order, whoever asks first (API or worker).

A transaction locks the orders, computes those still uncomputed with the rule maths and
stores their rebates; a second one waits on the lock and finds nothing left to do
(docs/design.md, "Exactly once" and "Money: computing an order's rebates").
"""

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from graph import db, paging
from graph.money import ledger
from graph.risk import signals
from graph.rules.book import load_rules
from graph.rules.maths import (
    DEFAULT_RULE,
    Item,
    Rule,
    TierAmount,
    budgets_left,
    excluded,
    pay_items,
    rebate_windows,
    spend_shares,
)
from graph.settings import get_settings
from graph.webhooks import outbox

SETTLE_READS = 50  # reads of an order whose rebates are still landing, before giving up
SETTLE_PAUSE_S = 0.01


def refunded_share(original_cents: int, order_cents: int, refunded_cents: int) -> int:
    """A rebate lowered in proportion to what is left of its order, rounded down (pure)."""
    return original_cents * (order_cents - refunded_cents) // order_cents


def plan_rebates(context: dict[str, Any], rules: list[Rule], max_tiers: int,
                 budgets: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The rebate rows of one order from its stored context (pure). An order already
    refunded in part pays in proportion; one refunded in full creates void rebates
    (order_refunded), as does an order whose every item is in an excluded category
    (category_excluded, one per tier it would have paid) or whose items a campaign's budget
    turned away with no other rule to pay them (budget_exhausted); a disabled beneficiary's
    rebate is void (inviter_disabled). `budgets` (rule id -> cents left) is lowered by what
    the order's items cost their rules (graph/rules/maths.py, `pay_items`). Each row carries
    the settlement windows of the rules that paid it (None: the global setting)."""
    items = [
        Item(sku=sku, category=category or None, amount_cents=amount)
        for sku, category, amount in zip(
            context["skus"], context["categories"], context["amounts"], strict=True
        )
    ]
    upline: list[str] = context["upline"]
    paid_at = datetime.fromisoformat(context["paid_at"])
    order_cents, refunded = context["order_cents"], context["refunded_cents"]
    rows = []
    settings = get_settings()
    payout = pay_items(items, len(upline), rules, paid_at, max_tiers,
                       levels=context.get("levels"), max_total_bp=settings.max_total_bp,
                       budgets=budgets)
    shares = payout.shares
    excluding = excluded(items, rules, paid_at) if upline and not shares else None
    exhausted = None
    if excluding is not None:  # every item is in an excluded category: say so per tier
        shares = [TierAmount(tier=tier, kind=excluding.kind, rule_ids=[excluding.id])
                  for tier in range(1, min(max_tiers, len(upline)) + 1)]
    elif upline and not shares and payout.exhausted:  # a spent campaign, nothing after it
        exhausted = next(r for r in rules if r.id == payout.exhausted[0])
        shares = [TierAmount(tier=tier, kind=exhausted.kind, rule_ids=list(payout.exhausted))
                  for tier in range(1, min(max_tiers, len(upline)) + 1)]
    disabled = context.get("disabled") or [False] * len(upline)
    for share in shares:
        amount = refunded_share(share.amount_cents, order_cents, refunded)
        status, reason = "pending", None
        if excluding is not None:
            status, reason = "void", "category_excluded"
        elif exhausted is not None:
            status, reason = "void", "budget_exhausted"
        elif refunded >= order_cents:
            status, reason = "void", "order_refunded"
        elif disabled[share.tier - 1]:
            status, reason, amount = "void", "inviter_disabled", 0
        elif refunded:
            reason = "partial_refund"
        window_days, delay_days = rebate_windows(share.rule_ids, rules,
                                                 settings.return_window_days,
                                                 settings.settlement_delay_days)
        rows.append({
            "rebate_id": f"{context['order_id']}:t{share.tier}:{share.kind}",
            "order_id": context["order_id"],
            "beneficiary": upline[share.tier - 1],
            "tier": share.tier,
            "kind": share.kind,
            "original_cents": share.amount_cents,
            "amount_cents": amount,
            "status": status,
            "reason": reason,
            "path": [context["buyer"], *upline[: share.tier]],
            "paid_at": context["paid_at"],
            "rule_ids": share.rule_ids,
            "rule_cents": share.rule_cents,
            "return_window_days": window_days, "settlement_delay_days": delay_days,
            "held_from": None, "held_reason": None, "hold_by": None,
        })
    return rows


def budget_spend(rows: list[dict[str, Any]]) -> dict[str, int]:
    """What new rebates take from their rules' budgets, by rule id (pure): the amount of each
    rebate that is not void, shared among the rules whose items it adds up
    (`spend_shares`). Call after `apply_risk`: a rebate voided at creation spends nothing,
    a held one spends (it may still be paid). `rule_cents` is dropped from the rows."""
    spent: dict[str, int] = {}
    for row in rows:
        rule_cents = row.pop("rule_cents", None) or {}
        if row["status"] == "void":
            continue
        for rule_id, cents in spend_shares(row["amount_cents"], rule_cents).items():
            spent[rule_id] = spent.get(rule_id, 0) + cents
    return spent


def apply_risk(rows: list[dict[str, Any]], decisions: dict[str, str]) -> None:
    """Hold or void new rebates by what the risk side says of each buyer (pure): a
    confirmed ring member's rebates are void (ring_confirmed); a held buyer's wait as
    `held` (risk_hold) with the status they would have had kept in held_from."""
    for row in rows:
        decision = decisions.get(row["path"][0])
        if decision is None or row["status"] == "void":
            continue
        if decision == "void":
            row["status"], row["reason"] = "void", "ring_confirmed"
        else:
            row["held_from"], row["held_reason"] = row["status"], row["reason"]
            row["status"], row["reason"] = "held", "risk_hold"
            row["hold_by"] = decision.removeprefix("held:")


def attach_accruals(rows: list[dict[str, Any]]) -> None:
    """Give each new rebate that puts money into a bucket (pending, or held by a risk hold)
    the legs of that accrual, pool -> its bucket, as `ledger_buckets` and `ledger_amounts`:
    the rebate's node holds the movement that created it (graph/money/ledger.py). Void rebates and
    rebates of nothing move no money and carry none (pure)."""
    for r in rows:
        r["ledger_buckets"] = r["ledger_amounts"] = None
        if r["status"] in ("pending", "held") and r["amount_cents"] > 0:
            accrual = ledger.move(r["rebate_id"], "accrue", r["kind"],
                                  datetime.fromisoformat(r["paid_at"]), r["amount_cents"],
                                  user_id=r["beneficiary"], source=ledger.POOL,
                                  target=r["status"], rebate_id=r["rebate_id"])
            r["ledger_buckets"], r["ledger_amounts"], _ = ledger.stored_legs(accrual)


def _compute_in_tx(tx: ManagedTransaction, order_ids: list[str]) -> int:
    db.run(tx, "rebates.lock_orders", ids=order_ids)
    # LOCK ORDER: orders, then campaign rules with budget left (by id), then users. A rule's
    # lock is held to the commit, so two computations never both spend the same cents: the
    # second reads spent_cents after the first committed (docs/design.md, "Campaign budgets").
    locked = set(db.run(tx, "rules.lock_budgets")[0]["ids"])
    contexts = db.run_rows(tx, "rebates.order_context", ids=order_ids)
    if not contexts:
        return 0
    rules = load_rules(tx) or [DEFAULT_RULE]
    max_tiers = get_settings().max_tiers
    # a rule created after the lock (so not locked here) pays nothing from its budget yet
    budgets = {k: v if k in locked else 0 for k, v in budgets_left(rules).items()}
    rows = [row for c in contexts for row in plan_rebates(c, rules, max_tiers, budgets)]
    buyers = sorted({c["buyer"] for c in contexts})
    apply_risk(rows, signals.hold_decisions(tx, buyers, get_settings().hold_score))
    spent = budget_spend(rows)
    attach_accruals(rows)
    earned = Counter(r["order_id"] for r in rows)
    db.run(
        tx,
        "rebates.create",
        rows=rows,
        orders=[{"id": c["order_id"], "rebates": earned[c["order_id"]]} for c in contexts],
        now=datetime.now(UTC).isoformat(),
    )
    if spent:
        db.run(tx, "rules.spend", rows=[{"id": k, "cents": v} for k, v in sorted(spent.items())])
    # Linking a rebate locks its beneficiary until the commit (a super-inviter is in every
    # batch): last, and by user id so that concurrent computations queue instead of
    # deadlocking (LOCK ORDER in graph/ingest/store.py).
    links = sorted(({"rebate_id": r["rebate_id"], "beneficiary": r["beneficiary"]} for r in rows),
                   key=lambda r: (r["beneficiary"], r["rebate_id"]))
    db.run(tx, "rebates.link_beneficiaries", rows=links)
    return len(contexts)


STATUS_BUCKET = {"pending": "pending", "confirmed": "confirmed", "payable": "payable",
                 "held": "held", "credited": "available"}


def apply_refunds(tx: ManagedTransaction, order_ids: list[str], at: datetime, token: str) -> int:
    """Lower the rebates of refunded orders to their share of what is left, in the caller's
    transaction: a full refund voids rebates not yet credited; a refund after crediting
    books a negative adjustment on the available balance (it may then owe). Returns how
    many rebates changed. Transaction ids name the refunded total, so a replay books nothing.
    """
    updates, txns = [], []
    refund_rows = db.run(tx, "rebates.refund_context", ids=order_ids)
    for r in refund_rows:
        if r["status"] == "void":
            continue
        target = refunded_share(r["original_cents"], r["order_cents"], r["refunded_cents"])
        delta = r["amount_cents"] - target
        if delta <= 0:
            continue
        full = r["refunded_cents"] >= r["order_cents"]
        credited = r["status"] == "credited"
        status = "void" if full and not credited else r["status"]
        updates.append({"rebate_id": r["rebate_id"], "amount_cents": target, "status": status,
                        "reason": "order_refunded" if full else "partial_refund"})
        txns.append(ledger.move(
            f"refund:{r['rebate_id']}:{r['refunded_cents']}", "adjust" if credited else "refund",
            r["kind"], at, delta, user_id=r["beneficiary"], source=STATUS_BUCKET[r["status"]],
            target=ledger.POOL, rebate_id=r["rebate_id"]))
    if updates:
        db.run(tx, "rebates.apply_adjustments", rows=updates)
        ledger.book(tx, txns, token)
        # a partial refund keeps the status but lowers the amount: the mall is told as well
        statuses = {r["rebate_id"]: r["status"] for r in refund_rows}
        outbox.rebate_changes(tx, [(u["rebate_id"], statuses[u["rebate_id"]])
                                   for u in updates], at=at)
    return len(updates)


def compute_rebates(order_ids: list[str]) -> int:
    """Compute the rebates of every listed order not yet computed; returns how many were."""
    pending = sorted({
        r["id"] for r in db.read_rows("rebates.order_flags", ids=list(order_ids))
        if not r["computed"]
    })
    if not pending:
        return 0
    return db.write(lambda tx: _compute_in_tx(tx, pending))


def rebates_of_orders(order_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Stored rebates per order id (unknown orders are absent).

    Neo4j applies a large commit while readers run, so a read can meet an order already
    flagged computed whose rebates are not all visible yet. The computation records how many
    it stored: such orders are read again until they agree (a commit lands in milliseconds).
    """
    found = {r["order_id"]: r for r in db.read_query("rebates.for_orders", ids=list(order_ids))}
    for _ in range(SETTLE_READS):
        unsettled = [k for k, r in found.items() if _half_seen(r)]
        if not unsettled:
            break
        time.sleep(SETTLE_PAUSE_S)
        found.update((r["order_id"], r)
                     for r in db.read_query("rebates.for_orders", ids=unsettled))
    for r in found.values():
        r.pop("expected", None)
    return found


def _half_seen(row: dict[str, Any]) -> bool:
    """A `rebates.for_orders` row of an order flagged computed whose rebates are not all
    visible yet (its commit still being applied)."""
    return bool(row["computed"] and row["expected"] is not None
                and len(row["rebates"]) < row["expected"])


async def payouts_async(order_id: str) -> dict[str, Any] | None:
    """`payouts` on the event loop: an order computed and read whole is answered by one
    read through the async driver; any other (unknown, not computed yet, a commit seen half
    applied) goes to `payouts` in a thread."""
    rows = await db.read_query_async("rebates.for_orders", ids=[order_id])
    if rows and rows[0]["computed"] and not _half_seen(rows[0]):
        rows[0].pop("expected")
        return rows[0]
    return await asyncio.to_thread(payouts, order_id)


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


def rebates_of_user(user_id: str, status: str | None, limit: int, offset: int = 0,
                    cursor: str | None = None) -> dict[str, Any]:
    """A page of the user's rebates, newest first (then by id), optionally of one status,
    after the cursor's rebate or skipping `offset`: items and next_cursor."""
    after = paging.decode(cursor, _rebate_keys) or (None, None)
    rows = db.read_query("rebates.for_user", user_id=user_id, status=status, skip=offset,
                         limit=limit + 1, after_at=after[0], after_id=after[1])
    for row in rows:
        row["paid_at"] = db.to_native(row["paid_at"])
    return paging.page(rows, limit, lambda r: [r["paid_at"].isoformat(), r["rebate_id"]])


def _rebate_keys(keys: list[Any]) -> tuple[datetime, str]:
    """The (paid_at, rebate id) a user's rebates cursor carries."""
    paid_at, rebate_id = keys
    if type(paid_at) is not str or type(rebate_id) is not str:
        raise ValueError("not a rebate key")
    return datetime.fromisoformat(paid_at), rebate_id
