// Up to $limit rings scoring at least $min_score, highest first (then by id), after the keyset
// ($after_score, $after_id) when $after_id is not null; with members (ids sorted), the rule
// score, the model version and drivers (JSON), and the ring's money: held and credited rebates
// of orders its members placed and team bonuses they lead, and what its members withdrew (cash
// only: points are not cents).
MATCH (ring:Ring)
WHERE ring.score >= $min_score AND ($status IS NULL OR ring.status = $status)
  AND ($after_id IS NULL OR ring.score < $after_score
       OR (ring.score = $after_score AND ring.id > $after_id))
WITH ring ORDER BY ring.score DESC, ring.id LIMIT $limit
CALL (ring) {
  OPTIONAL MATCH (u:User)-[:MEMBER_OF]->(ring)
  WITH u ORDER BY u.id
  RETURN collect(u.id) AS members
}
CALL (ring, members) {
  UNWIND members AS member
  CALL (member) {
    MATCH (:User {id: member})-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate)
    WHERE rb.status IN ['held', 'credited'] AND rb.kind = 'cash'
    RETURN rb
    UNION
    MATCH (rb:Rebate)
    USING INDEX rb:Rebate(beneficiary, period)
    WHERE rb.beneficiary = member AND rb.period IS NOT NULL AND rb.kind = 'team_bonus'
      AND rb.status IN ['held', 'credited']
    RETURN rb
  }
  RETURN sum(CASE WHEN rb.status = 'held' THEN rb.amount_cents ELSE 0 END) AS held_cents,
         sum(CASE WHEN rb.status = 'credited' THEN rb.amount_cents ELSE 0 END) AS credited_cents
}
CALL (members) {
  UNWIND members AS member
  OPTIONAL MATCH (w:Withdrawal {user_id: member, status: 'completed'})
  RETURN sum(w.amount_cents) AS withdrawn_cents
}
RETURN ring.id AS ring_id, ring.score AS score, ring.status AS status, ring.size AS size,
       ring.reasons AS reasons, members, ring.rule_score AS rule_score,
       ring.model_version AS model_version, ring.drivers AS drivers,
       {held_cents: held_cents, credited_cents: credited_cents,
        withdrawn_cents: withdrawn_cents} AS money
ORDER BY score DESC, ring_id
