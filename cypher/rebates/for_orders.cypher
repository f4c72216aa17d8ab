// The rebates of each order of $ids (orders that do not exist are left out), and how many
// its computation stored (`expected`; null for orders computed before it was recorded).
UNWIND $ids AS id
MATCH (o:Order {id: id})
OPTIONAL MATCH (o)-[:EARNS]->(rb:Rebate)
WITH o, rb ORDER BY rb.tier, rb.kind
RETURN o.id AS order_id, o.rebates_computed AS computed, o.rebate_count AS expected,
       [x IN collect(rb) | {rebate_id: x.id, beneficiary: x.beneficiary, tier: x.tier,
        kind: x.kind, amount_cents: x.amount_cents, status: x.status, reason: x.reason}] AS rebates
