// Test support: every rebate of orders placed by the users $user_ids.
UNWIND $user_ids AS user_id
MATCH (:User {id: user_id})-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate)
RETURN rb.id AS rebate_id, rb.status AS status, rb.reason AS reason,
       rb.amount_cents AS amount_cents, rb.beneficiary AS beneficiary, rb.hold_by AS hold_by
ORDER BY rebate_id
