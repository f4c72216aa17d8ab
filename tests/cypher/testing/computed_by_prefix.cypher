// Test support: orders whose id starts with $prefix: how many, how many computed, how often
// each was computed (runs), their rebates and how many of those hold their accrual's
// ledger legs.
MATCH (o:Order) WHERE o.id STARTS WITH $prefix
OPTIONAL MATCH (o)-[:EARNS]->(rb:Rebate)
RETURN count(DISTINCT o) AS orders,
       count(DISTINCT CASE WHEN o.rebates_computed THEN o END) AS computed,
       max(o.rebate_runs) AS max_runs, count(DISTINCT rb) AS rebates, count(rb) AS rebate_rows,
       count(rb.ledger_amounts) AS accruals
