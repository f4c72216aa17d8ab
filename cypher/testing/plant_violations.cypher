// Test support: plants what the tier report must catch, under ids starting with $prefix:
// a rebate at tier 4 with a path that does not match, and a user with a second inviter.
CREATE (a:User {id: $prefix + 'a'}), (b:User {id: $prefix + 'b'}), (c:User {id: $prefix + 'c'})
CREATE (a)-[:INVITED]->(c), (b)-[:INVITED]->(c)
CREATE (o:Order {id: $prefix + 'o', amount_cents: 100, rebates_computed: true})
CREATE (o)-[:EARNS]->(rb:Rebate {id: $prefix + 'rb', tier: 4, kind: 'cash', amount_cents: 1,
        status: 'pending', path: [$prefix + 'c', $prefix + 'a']})-[:TO]->(a)
RETURN rb.id AS rebate_id
