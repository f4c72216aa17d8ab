// Start-up migration: folds the LedgerEntry legs of up to $limit LedgerTxn nodes without
// amounts onto them, deleting the entries. Returns migrated; run until it is below $limit.
MATCH (x:LedgerTxn) WHERE x.amounts IS NULL
WITH x LIMIT $limit
OPTIONAL MATCH (x)-[:HAS]->(e:LedgerEntry)
WITH x, collect(e) AS legs
SET x.user_id = head([e IN legs WHERE e.user_id IS NOT NULL | e.user_id]),
    x.buckets = [e IN legs | e.bucket], x.amounts = [e IN legs | e.amount_cents]
FOREACH (e IN legs | DETACH DELETE e)
RETURN count(x) AS migrated
