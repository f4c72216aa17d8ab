// Test support: for users whose id starts with $prefix, their rebates (order, tier, amount,
// status) with each order's eligible amount, and the sum of their ledger legs per
// bucket (the mall's buckets $mall_buckets left out): their LedgerTxn nodes and the accruals
// held on their rebates. Used by the property tests to check invariants and replays.
MATCH (rb:Rebate) WHERE rb.beneficiary STARTS WITH $prefix
MATCH (o:Order {id: rb.order_id})
WITH collect({rebate_id: rb.id, order_id: o.id, tier: rb.tier, amount: rb.amount_cents,
              status: rb.status, order_cents: o.amount_cents}) AS rebates
CALL () {
  CALL () {
    MATCH (x:LedgerTxn) WHERE x.user_id STARTS WITH $prefix
    RETURN x.user_id AS user_id, x.kind AS kind, x.type AS type, x.buckets AS buckets,
           x.amounts AS amounts
    UNION ALL
    MATCH (rb:Rebate) WHERE rb.beneficiary STARTS WITH $prefix AND rb.ledger_amounts IS NOT NULL
    RETURN rb.beneficiary AS user_id, rb.kind AS kind, 'accrue' AS type,
           rb.ledger_buckets AS buckets, rb.ledger_amounts AS amounts
  }
  RETURN collect({user_id: user_id, kind: kind, type: type, buckets: buckets,
                  amounts: amounts}) AS moves
}
UNWIND CASE WHEN moves = [] THEN [null] ELSE moves END AS m
UNWIND CASE WHEN m IS NULL THEN [null] ELSE range(0, size(m.buckets) - 1) END AS i
WITH rebates, m, m.buckets[i] AS bucket, m.amounts[i] AS amount
WHERE m IS NULL OR NOT bucket IN $mall_buckets
WITH rebates, m.user_id AS user_id, m.kind AS kind, bucket, m.type AS type,
     sum(amount) AS cents, count(amount) AS entries
RETURN rebates, collect({user_id: user_id, kind: kind, bucket: bucket, type: type,
                         cents: cents, entries: entries}) AS sums
