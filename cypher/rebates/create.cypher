// Creates the rebates of $rows (as graph/money/rebates.py plans them, accrual legs included)
// under their orders, with the settlement windows of the rules that paid them (null: the
// global setting; stored so that a later rule cannot move money already promised), and
// marks the orders of $orders ({id, rebates}) computed at $now with how many rebates they
// earned (a reader compares it to what it sees). Returns stored, orders.
UNWIND $rows AS r
MATCH (o:Order {id: r.order_id})
CREATE (o)-[:EARNS]->(rb:Rebate {id: r.rebate_id})
SET rb.tier = r.tier, rb.kind = r.kind, rb.amount_cents = r.amount_cents,
                rb.original_cents = r.original_cents, rb.status = r.status, rb.reason = r.reason,
                rb.path = r.path, rb.paid_at = datetime(r.paid_at), rb.rule_ids = r.rule_ids,
                rb.order_id = r.order_id, rb.beneficiary = r.beneficiary, rb.created_at = datetime($now),
                rb.held_from = r.held_from, rb.held_reason = r.held_reason,
                rb.hold_by = r.hold_by, rb.held_at = CASE WHEN r.hold_by IS NULL THEN NULL ELSE datetime($now) END,
                rb.ledger_buckets = r.ledger_buckets, rb.ledger_amounts = r.ledger_amounts,
                rb.return_window_days = r.return_window_days,
                rb.settlement_delay_days = r.settlement_delay_days
WITH count(*) AS stored
UNWIND $orders AS x
MATCH (o:Order {id: x.id})
SET o.rebates_computed = true, o.rebates_computed_at = datetime($now), o.rebate_count = x.rebates,
    o.rebate_runs = coalesce(o.rebate_runs, 0) + 1
RETURN stored, count(o) AS orders
