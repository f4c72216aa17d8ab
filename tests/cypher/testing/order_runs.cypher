// Test support: per order of $ids, how often its rebates were computed and how many it has.
UNWIND $ids AS id
MATCH (o:Order {id: id})
OPTIONAL MATCH (o)-[e:EARNS]->(rb:Rebate)
RETURN o.id AS order_id, o.rebate_runs AS runs, count(rb) AS rebates,
       count(DISTINCT rb) AS distinct_rebates, sum(rb.amount_cents) AS cents
