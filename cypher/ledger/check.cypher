// Ledger invariants over LedgerTxn nodes and rebate-held accruals: total, entries, txns,
// unbalanced, and negative_buckets (user buckets below zero, $mall_buckets and $owing aside).
CALL () {
  CALL () {
    MATCH (x:LedgerTxn)
    RETURN x.buckets AS buckets, x.amounts AS amounts
    UNION ALL
    MATCH (rb:Rebate)
    WHERE rb.ledger_amounts IS NOT NULL OR rb.ledger_buckets IS NOT NULL
    RETURN rb.ledger_buckets AS buckets, rb.ledger_amounts AS amounts
  }
  WITH buckets, amounts, reduce(s = 0, a IN coalesce(amounts, []) | s + a) AS s
  RETURN sum(s) AS total, sum(size(coalesce(amounts, []))) AS entries, count(*) AS txns,
         sum(CASE WHEN s <> 0 OR amounts IS NULL OR buckets IS NULL
                       OR size(amounts) <> size(buckets)
                  THEN 1 ELSE 0 END) AS unbalanced
}
CALL () {
  CALL () {
    MATCH (n:LedgerTxn) WHERE n.user_id IS NOT NULL
    RETURN n.user_id AS user_id, n.kind AS kind, n.buckets AS buckets, n.amounts AS amounts
    UNION ALL
    MATCH (rb:Rebate) WHERE rb.ledger_amounts IS NOT NULL AND rb.ledger_buckets IS NOT NULL
    RETURN rb.beneficiary AS user_id, rb.kind AS kind, rb.ledger_buckets AS buckets,
           rb.ledger_amounts AS amounts
  }
  UNWIND range(0, size(buckets) - 1) AS i
  WITH user_id, kind, buckets[i] AS bucket, amounts[i] AS cents
  WHERE NOT bucket IN $mall_buckets AND bucket <> $owing
  WITH user_id, kind, bucket, sum(cents) AS bucket_sum
  RETURN sum(CASE WHEN bucket_sum < 0 THEN 1 ELSE 0 END) AS negative_buckets
}
RETURN total, entries, txns, unbalanced, negative_buckets
