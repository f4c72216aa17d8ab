// Rebates of the users $user_ids that a hold can still stop (pending, confirmed or payable:
// credited money is out, void is nothing): those of orders they placed, and the team bonuses
// they lead (a team bonus is a rebate of its leader's). buyer: the user it was found through.
CALL () {
  UNWIND $user_ids AS user_id
  MATCH (:User {id: user_id})-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate)
  WHERE rb.status IN ['pending', 'confirmed', 'payable']
  RETURN rb, user_id AS buyer
  UNION
  UNWIND $user_ids AS user_id
  MATCH (rb:Rebate)
  USING INDEX rb:Rebate(beneficiary, period)
  WHERE rb.beneficiary = user_id AND rb.period IS NOT NULL AND rb.kind = 'team_bonus'
    AND rb.status IN ['pending', 'confirmed', 'payable']
  RETURN rb, user_id AS buyer
}
RETURN rb.id AS rebate_id, rb.status AS status, rb.amount_cents AS amount_cents,
       rb.kind AS kind, rb.beneficiary AS beneficiary, buyer
