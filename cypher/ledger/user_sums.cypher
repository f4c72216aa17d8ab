// Sums of a user's ledger legs by kind, bucket and transaction type (the user's own legs:
// those not in the mall's buckets $mall_buckets, its pool and gateway). The movements are
// the user's LedgerTxn nodes and the accruals held on the rebates paid to the user
// (type accrue: see cypher/rebates/create.cypher).
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
