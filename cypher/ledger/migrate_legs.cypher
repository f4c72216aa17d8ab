// Start-up migration of ledgers written before the legs moved onto their transaction: up to
// $limit LedgerTxn nodes still without `amounts` get their LedgerEntry legs folded into
// user_id, buckets and amounts, and the entries are deleted. Returns how many moved; run
// until none do (graph/db.py, migrate).
MATCH (x:LedgerTxn) WHERE x.amounts IS NULL
WITH x LIMIT $limit
OPTIONAL MATCH (x)-[:HAS]->(e:LedgerEntry)
WITH x, collect(e) AS legs
SET x.user_id = head([e IN legs WHERE e.user_id IS NOT NULL | e.user_id]),
    x.buckets = [e IN legs | e.bucket], x.amounts = [e IN legs | e.amount_cents]
FOREACH (e IN legs | DETACH DELETE e)
RETURN count(x) AS migrated
