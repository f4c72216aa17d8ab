// Test support: a rebate at tier $tier on order $order_id for the user at the end of $path,
// written as the application writes rebates (created_at now): what a writer with a bug in
// its cap would store, for the tier report's check of what came after it.
MATCH (o:Order {id: $order_id}), (b:User {id: last($path)})
CREATE (o)-[:EARNS]->(rb:Rebate {id: $order_id + ':t' + toString($tier) + ':cash', tier: $tier,
        kind: 'cash', amount_cents: 1, original_cents: 1, status: 'pending', path: $path,
        order_id: $order_id, beneficiary: b.id, created_at: datetime()})-[:TO]->(b)
RETURN rb.id AS rebate_id
