// Test support: plants what the tier report must catch, under ids starting with $prefix:
// a rebate at tier 4 with a path that does not match, a user with a second inviter, a
// tier-1 rebate whose path names a real buyer and beneficiary with no invite between them
// (forged), and two users inviting each other (a cycle).
CREATE (a:User {id: $prefix + 'a'}), (b:User {id: $prefix + 'b'}), (c:User {id: $prefix + 'c'})
CREATE (a)-[:INVITED]->(c), (b)-[:INVITED]->(c)
CREATE (o:Order {id: $prefix + 'o', amount_cents: 100, rebates_computed: true})
CREATE (c)-[:PLACED]->(o)
CREATE (o)-[:EARNS]->(rb:Rebate {id: $prefix + 'rb', tier: 4, kind: 'cash', amount_cents: 1,
        status: 'pending', path: [$prefix + 'c', $prefix + 'a']})-[:TO]->(a)
CREATE (buyer:User {id: $prefix + 'buyer'}), (stranger:User {id: $prefix + 'stranger'})
CREATE (buyer)-[:PLACED]->(o2:Order {id: $prefix + 'o2', amount_cents: 100, rebates_computed: true})
CREATE (o2)-[:EARNS]->(:Rebate {id: $prefix + 'forged', tier: 1, kind: 'cash', amount_cents: 10,
        status: 'pending', path: [$prefix + 'buyer', $prefix + 'stranger']})-[:TO]->(stranger)
CREATE (x:User {id: $prefix + 'x'}), (y:User {id: $prefix + 'y'})
CREATE (x)-[:INVITED]->(y), (y)-[:INVITED]->(x)
RETURN rb.id AS rebate_id
