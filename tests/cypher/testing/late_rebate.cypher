// Test support: a rebate $rebate_id of tier $tier under order $id, as the rest of a commit
// that lands after a reader began.
MATCH (o:Order {id: $id})
CREATE (o)-[:EARNS]->(:Rebate {id: $rebate_id, tier: $tier, kind: 'cash', amount_cents: 1,
                               status: 'pending', beneficiary: $beneficiary})
