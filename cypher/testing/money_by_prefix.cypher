// Test support: for users whose id starts with $prefix, their rebates (order, tier, amount,
// status) with each order's eligible amount, and the sum of their ledger legs per
// bucket (the mall's buckets $mall_buckets left out). Used by the property tests to check invariants and replays.
MATCH (rb:Rebate) WHERE rb.beneficiary STARTS WITH $prefix
MATCH (o:Order {id: rb.order_id})
WITH collect({rebate_id: rb.id, order_id: o.id, tier: rb.tier, amount: rb.amount_cents,
              status: rb.status, order_cents: o.amount_cents}) AS rebates
OPTIONAL MATCH (x:LedgerTxn) WHERE x.user_id STARTS WITH $prefix
UNWIND CASE WHEN x IS NULL THEN [null] ELSE range(0, size(x.buckets) - 1) END AS i
WITH rebates, x, x.buckets[i] AS bucket, x.amounts[i] AS amount
WHERE x IS NULL OR NOT bucket IN $mall_buckets
WITH rebates, x.user_id AS user_id, x.kind AS kind, bucket, x.type AS type,
     sum(amount) AS cents, count(amount) AS entries
RETURN rebates, collect({user_id: user_id, kind: kind, bucket: bucket, type: type,
                         cents: cents, entries: entries}) AS sums
