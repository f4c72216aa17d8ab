// Test support: how many orders wait for their rebates, and how many rebates exist, to see the
// worker compute them after an import.
OPTIONAL MATCH (o:Order)
WITH count(o) AS orders, count(CASE WHEN o.rebates_computed = false THEN 1 END) AS pending
OPTIONAL MATCH (r:Rebate)
RETURN orders, pending, count(r) AS rebates
