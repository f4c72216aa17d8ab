// Sums of a user's ledger legs by kind, bucket and transaction type (the user's own legs:
// those not in the mall's buckets $mall_buckets, its pool and gateway).
MATCH (x:LedgerTxn {user_id: $user_id})
UNWIND range(0, size(x.buckets) - 1) AS i
WITH x, x.buckets[i] AS bucket, x.amounts[i] AS cents
WHERE NOT bucket IN $mall_buckets
RETURN x.kind AS kind, bucket, x.type AS type, sum(cents) AS cents
