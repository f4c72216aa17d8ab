// Stores rebates from $rows {rebate_id, order_id, beneficiary, tier, kind, original_cents,
// amount_cents, status, reason, path, paid_at, rule_ids} (pending, or void when the order
// was refunded in full before they were computed), linked (Order)-[:EARNS]->(Rebate)-[:TO]->(User), and
// marks the orders $order_ids computed at $now (rebate_runs counts computations: always 1). Rebate ids are deterministic, so a second
// writer would only match what the first created.
UNWIND $rows AS r
MATCH (o:Order {id: r.order_id})
MATCH (b:User {id: r.beneficiary})
MERGE (rb:Rebate {id: r.rebate_id})
  ON CREATE SET rb.tier = r.tier, rb.kind = r.kind, rb.amount_cents = r.amount_cents,
                rb.original_cents = r.original_cents, rb.status = r.status, rb.reason = r.reason,
                rb.path = r.path, rb.paid_at = r.paid_at, rb.rule_ids = r.rule_ids,
                rb.order_id = r.order_id, rb.beneficiary = r.beneficiary, rb.created_at = $now
MERGE (o)-[:EARNS]->(rb)
MERGE (rb)-[:TO]->(b)
WITH count(*) AS stored
UNWIND $order_ids AS id
MATCH (o:Order {id: id})
SET o.rebates_computed = true, o.rebates_computed_at = $now,
    o.rebate_runs = coalesce(o.rebate_runs, 0) + 1
RETURN stored, count(o) AS orders
