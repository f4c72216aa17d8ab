// Test support: how many nodes and relationships hang off users whose id starts with $prefix.
MATCH (u:User) WHERE u.id STARTS WITH $prefix
OPTIONAL MATCH (u)-[x:USED]->(:Device)
WITH collect(u) AS users, count(x) AS used, sum(x.count) AS used_count
UNWIND users AS u
OPTIONAL MATCH (u)-[:PLACED]->(o:Order)
OPTIONAL MATCH (o)-[:EARNS]->(rb:Rebate)
OPTIONAL MATCH (o)-[:REFUNDED_BY]->(f:Refund)
OPTIONAL MATCH (u)-[i:INVITED]->()
RETURN size(users) AS users, used, used_count, count(DISTINCT o) AS orders,
       count(DISTINCT rb) AS rebates, count(DISTINCT f) AS refunds, count(DISTINCT i) AS invites,
       sum(DISTINCT o.refunded_cents) AS refunded
