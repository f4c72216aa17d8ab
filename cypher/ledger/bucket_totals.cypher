// Per kind and bucket over LedgerTxn nodes and rebate-held accruals: owed (sum of holders'
// balances above zero), debt (below zero), holders and debtors; $mall_buckets are one holder.
CALL () {
  MATCH (x:LedgerTxn)
  RETURN x.user_id AS user_id, x.kind AS kind, x.buckets AS buckets, x.amounts AS amounts
  UNION ALL
  MATCH (rb:Rebate) WHERE rb.ledger_amounts IS NOT NULL AND rb.ledger_buckets IS NOT NULL
  RETURN rb.beneficiary AS user_id, rb.kind AS kind, rb.ledger_buckets AS buckets,
         rb.ledger_amounts AS amounts
}
WITH user_id, kind, buckets, amounts
WHERE buckets IS NOT NULL AND amounts IS NOT NULL AND size(buckets) = size(amounts)
UNWIND range(0, size(buckets) - 1) AS i
WITH CASE WHEN buckets[i] IN $mall_buckets THEN '' ELSE coalesce(user_id, '') END AS holder,
     kind, buckets[i] AS bucket, amounts[i] AS cents
WITH holder, kind, bucket, sum(cents) AS balance
RETURN kind, bucket,
       sum(CASE WHEN balance > 0 THEN balance ELSE 0 END) AS owed,
       -sum(CASE WHEN balance < 0 THEN balance ELSE 0 END) AS debt,
       count(CASE WHEN balance > 0 THEN 1 END) AS holders,
       count(CASE WHEN balance < 0 THEN 1 END) AS debtors
ORDER BY kind, bucket
