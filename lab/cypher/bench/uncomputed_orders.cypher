// Benchmark support: how many orders still wait for their rebates.
MATCH (o:Order) WHERE o.rebates_computed = false
RETURN count(o) AS orders
