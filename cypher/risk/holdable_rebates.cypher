// Rebates of orders placed by the users $user_ids that a hold can still stop: pending,
// confirmed or payable (credited money is out; void is nothing).
UNWIND $user_ids AS user_id
MATCH (:User {id: user_id})-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate)
WHERE rb.status IN ['pending', 'confirmed', 'payable']
RETURN rb.id AS rebate_id, rb.status AS status, rb.amount_cents AS amount_cents,
       rb.kind AS kind, rb.beneficiary AS beneficiary, user_id AS buyer
