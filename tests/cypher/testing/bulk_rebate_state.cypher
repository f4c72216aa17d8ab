// Test support: how many orders wait for their rebates, how many rebates exist (by label) and
// how many hang under orders, to see the worker compute them after an import.
OPTIONAL MATCH (o:Order)
WITH count(o) AS orders, count(CASE WHEN o.rebates_computed = false THEN 1 END) AS pending,
     sum(COUNT { (o)-[:EARNS]->(:Rebate) }) AS earned
OPTIONAL MATCH (r:Rebate)
RETURN orders, pending, earned, count(r) AS rebates
