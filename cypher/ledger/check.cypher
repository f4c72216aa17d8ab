// Ledger invariants over everything: total of all entries (must be 0), transactions whose
// entries do not sum to 0, and user buckets other than `available` that are negative.
MATCH (e:LedgerEntry)
WITH sum(e.amount_cents) AS total, count(e) AS entries
OPTIONAL MATCH (x:LedgerTxn)-[:HAS]->(e:LedgerEntry)
WITH total, entries, x, sum(e.amount_cents) AS s
WITH total, entries, count(x) AS txns, sum(CASE WHEN s <> 0 THEN 1 ELSE 0 END) AS unbalanced
OPTIONAL MATCH (n:LedgerEntry)
WHERE n.user_id IS NOT NULL AND n.bucket <> 'available'
WITH total, entries, txns, unbalanced, n.user_id AS user_id, n.kind AS kind, n.bucket AS bucket,
     sum(n.amount_cents) AS bucket_sum
RETURN total, entries, txns, unbalanced,
       sum(CASE WHEN bucket_sum < 0 THEN 1 ELSE 0 END) AS negative_buckets
