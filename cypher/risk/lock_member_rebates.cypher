// Takes the write lock (in id order) of the rebates not void of orders placed by $user_ids,
// of the team bonuses they lead, of those held by one of $holders and (when $counting) of the team
// bonuses that counted their orders, so what is read next is current. Returns ids (sorted,
// all but those only counting) and counting (sorted, the team bonuses counting their orders).
CALL () {
  UNWIND $user_ids AS user_id
  MATCH (:User {id: user_id})-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate)
  WHERE rb.status <> 'void'
  RETURN rb, true AS own
  UNION
  UNWIND $user_ids AS user_id
  MATCH (rb:Rebate)
  USING INDEX rb:Rebate(beneficiary, period)
  WHERE rb.beneficiary = user_id AND rb.period IS NOT NULL AND rb.kind = 'team_bonus'
    AND rb.status <> 'void'
  RETURN rb, true AS own
  UNION
  UNWIND $holders AS holder
  MATCH (rb:Rebate {status: 'held'})
  WHERE rb.hold_by = holder
  RETURN rb, true AS own
  UNION
  UNWIND CASE WHEN $counting THEN $user_ids ELSE [] END AS user_id
  MATCH (:User {id: user_id})-[:PLACED]->(:Order)-[:COUNTED_IN]->(rb:Rebate)
  WHERE rb.status <> 'void'
  RETURN rb, false AS own
}
WITH rb, collect(own) AS found
WITH rb, true IN found AS own, false IN found AS counting ORDER BY rb.id
SET rb.lock_token = randomUUID()
RETURN collect(CASE WHEN own THEN rb.id END) AS ids,
       collect(CASE WHEN counting THEN rb.id END) AS counting
