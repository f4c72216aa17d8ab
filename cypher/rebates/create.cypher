// Stores rebates (pending, held by a risk hold, or void) from $rows {rebate_id, order_id, beneficiary, tier, kind, original_cents,
// amount_cents, status, reason, path, paid_at, rule_ids, held_from, held_reason, hold_by, ledger_buckets,
// ledger_amounts} (pending, or void when the order was refunded in full before they were
// computed), linked (Order)-[:EARNS]->(Rebate), and marks the orders $order_ids computed at
// $now (rebate_runs counts computations: always 1).
// A rebate that moves money holds its accrual's ledger legs (pool -> its bucket) as
// ledger_buckets/ledger_amounts, null for one that moves none: the accrual is written with
// the rebate, so it exists exactly when the rebate does (graph/money/ledger.py).
// The (Rebate)-[:TO]->(User) edges come last in the transaction (rebates.link_beneficiaries):
// an edge locks its user until the commit, and a super-inviter is a beneficiary in every
// batch, so the fewer statements run after those locks, the less another computation waits.
// Times arrive as ISO strings (paid_at, $now): cheaper through the driver than DateTimes.
// CREATE, not MERGE: the caller holds the orders' write locks and saw them uncomputed, so the
// rebates are new; their ids are deterministic and unique by constraint, so a second writer
// that slipped past the lock would fail its transaction rather than pay twice.
UNWIND $rows AS r
MATCH (o:Order {id: r.order_id})
CREATE (o)-[:EARNS]->(rb:Rebate {id: r.rebate_id})
SET rb.tier = r.tier, rb.kind = r.kind, rb.amount_cents = r.amount_cents,
                rb.original_cents = r.original_cents, rb.status = r.status, rb.reason = r.reason,
                rb.path = r.path, rb.paid_at = datetime(r.paid_at), rb.rule_ids = r.rule_ids,
                rb.order_id = r.order_id, rb.beneficiary = r.beneficiary, rb.created_at = datetime($now),
                rb.held_from = r.held_from, rb.held_reason = r.held_reason,
                rb.hold_by = r.hold_by, rb.held_at = CASE WHEN r.hold_by IS NULL THEN NULL ELSE datetime($now) END,
                rb.ledger_buckets = r.ledger_buckets, rb.ledger_amounts = r.ledger_amounts
WITH count(*) AS stored
UNWIND $order_ids AS id
MATCH (o:Order {id: id})
SET o.rebates_computed = true, o.rebates_computed_at = datetime($now),
    o.rebate_runs = coalesce(o.rebate_runs, 0) + 1
RETURN stored, count(o) AS orders
