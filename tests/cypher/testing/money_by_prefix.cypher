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
  UNWIND range(0, size(buckets) - 1) AS i
  WITH user_id, kind, type, buckets[i] AS bucket, amounts[i] AS amount
  WHERE NOT bucket IN $mall_buckets
  WITH user_id, kind, bucket, type, sum(amount) AS cents, count(amount) AS entries
  RETURN collect({user_id: user_id, kind: kind, bucket: bucket, type: type, cents: cents,
                  entries: entries}) AS sums
}
RETURN rebates, sums
