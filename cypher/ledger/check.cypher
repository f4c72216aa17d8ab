// Ledger invariants over everything: total of all legs (must be 0), how many legs and
// transactions, transactions whose legs do not sum to 0 (or whose two lists differ in
// length), and user buckets that are negative (the mall's $mall_buckets aside, and $owing,
// the bucket a refund after crediting may leave below zero).
MATCH (x:LedgerTxn)
WITH x, reduce(s = 0, a IN coalesce(x.amounts, []) | s + a) AS s
WITH sum(s) AS total, sum(size(coalesce(x.amounts, []))) AS entries, count(x) AS txns,
     sum(CASE WHEN s <> 0 OR x.amounts IS NULL OR size(x.amounts) <> size(x.buckets)
              THEN 1 ELSE 0 END) AS unbalanced
CALL () {
  MATCH (n:LedgerTxn) WHERE n.user_id IS NOT NULL
  UNWIND range(0, size(n.buckets) - 1) AS i
  WITH n, n.buckets[i] AS bucket, n.amounts[i] AS cents
  WHERE NOT bucket IN $mall_buckets AND bucket <> $owing
  WITH n.user_id AS user_id, n.kind AS kind, bucket, sum(cents) AS bucket_sum
  RETURN sum(CASE WHEN bucket_sum < 0 THEN 1 ELSE 0 END) AS negative_buckets
}
RETURN total, entries, txns, unbalanced, negative_buckets
