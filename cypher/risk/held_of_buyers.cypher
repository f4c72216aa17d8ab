// Held rebates of orders placed by the users $user_ids, whoever holds them (a ring or the
// buyer's own signals).
UNWIND $user_ids AS user_id
MATCH (:User {id: user_id})-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate {status: 'held'})
RETURN rb.id AS rebate_id, rb.hold_by AS hold_by, rb.held_from AS held_from,
       rb.held_reason AS held_reason, rb.amount_cents AS amount_cents, rb.kind AS kind,
       rb.beneficiary AS beneficiary
