// Takes the write lock (in id order) of the rebates not void of orders placed by $user_ids and
// of those held by $holder, so what is read next is current. Returns ids (sorted).
CALL () {
  UNWIND $user_ids AS user_id
  MATCH (:User {id: user_id})-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate)
  WHERE rb.status <> 'void'
  RETURN rb
  UNION
  MATCH (rb:Rebate {status: 'held'})
  WHERE rb.hold_by = $holder
  RETURN rb
}
WITH rb ORDER BY rb.id
SET rb.lock_token = randomUUID()
RETURN collect(rb.id) AS ids
