// Sums of the legs of $user_id outside $mall_buckets, by kind, bucket and type, over the user's
// LedgerTxn nodes and the accruals held on its rebates (type accrue).
CALL () {
  MATCH (x:LedgerTxn {user_id: $user_id})
  RETURN x.kind AS kind, x.type AS type, x.buckets AS buckets, x.amounts AS amounts
  UNION ALL
  MATCH (rb:Rebate {beneficiary: $user_id})
  WHERE rb.ledger_amounts IS NOT NULL
  RETURN rb.kind AS kind, 'accrue' AS type, rb.ledger_buckets AS buckets,
         rb.ledger_amounts AS amounts
}
UNWIND range(0, size(buckets) - 1) AS i
WITH kind, type, buckets[i] AS bucket, amounts[i] AS cents
WHERE NOT bucket IN $mall_buckets
RETURN kind, bucket, type, sum(cents) AS cents
