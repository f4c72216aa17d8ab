// Test support: for users whose id starts with $prefix, their rebates (order, tier, amount,
// status) with each order's eligible amount, and the sum of their ledger entries per
// bucket. Used by the property tests to check invariants and replays.
MATCH (rb:Rebate) WHERE rb.beneficiary STARTS WITH $prefix
MATCH (o:Order {id: rb.order_id})
WITH collect({rebate_id: rb.id, order_id: o.id, tier: rb.tier, amount: rb.amount_cents,
              status: rb.status, order_cents: o.amount_cents}) AS rebates
OPTIONAL MATCH (e:LedgerEntry) WHERE e.user_id STARTS WITH $prefix
WITH rebates, e.user_id AS user_id, e.kind AS kind, e.bucket AS bucket, e.type AS type,
     sum(e.amount_cents) AS cents, count(e) AS entries
RETURN rebates, collect({user_id: user_id, kind: kind, bucket: bucket, type: type,
                         cents: cents, entries: entries}) AS sums
