// The money of ring $ring_id's members, to draw and to total: the latest $per_member orders
// each member placed (by payment time) with the rebates each earned (tier, beneficiary, amount,
// status, kind); and, over all their orders and the team bonuses they lead, held and credited
// cash, and what members withdrew.
MATCH (u:User)-[:MEMBER_OF]->(:Ring {id: $ring_id})
WITH collect(u) AS members
CALL (members) {
  UNWIND members AS u
  MATCH (u)-[:PLACED]->(o:Order)
  WITH u, o ORDER BY o.paid_at DESC, o.id
  WITH u, collect(o)[..$per_member] AS latest
  UNWIND latest AS o
  OPTIONAL MATCH (o)-[:EARNS]->(rb:Rebate)
  WITH u, o, rb ORDER BY rb.tier, rb.kind
  WITH u, o, collect(CASE WHEN rb IS NULL THEN NULL ELSE
         {rebate_id: rb.id, tier: rb.tier, kind: rb.kind, beneficiary: rb.beneficiary,
          amount_cents: rb.amount_cents, status: rb.status} END) AS rebates
  RETURN collect({order_id: o.id, buyer: u.id, amount_cents: o.amount_cents,
                  paid_at: toString(o.paid_at), status: o.status, rebates: rebates}) AS orders
}
CALL (members) {
  UNWIND members AS u
  MATCH (u)-[:PLACED]->(o:Order)
  RETURN count(o) AS placed
}
CALL (members) {
  UNWIND members AS u
  CALL (u) {
    MATCH (u)-[:PLACED]->(:Order)-[:EARNS]->(rb:Rebate)
    WHERE rb.status IN ['held', 'credited'] AND rb.kind = 'cash'
    RETURN rb
    UNION
    MATCH (rb:Rebate)
    USING INDEX rb:Rebate(beneficiary, period)
    WHERE rb.beneficiary = u.id AND rb.period IS NOT NULL AND rb.kind = 'team_bonus'
      AND rb.status IN ['held', 'credited']
    RETURN rb
  }
  RETURN sum(CASE WHEN rb.status = 'held' THEN rb.amount_cents ELSE 0 END) AS held_cents,
         sum(CASE WHEN rb.status = 'credited' THEN rb.amount_cents ELSE 0 END) AS credited_cents
}
CALL (members) {
  UNWIND members AS u
  OPTIONAL MATCH (w:Withdrawal {user_id: u.id, status: 'completed'})
  RETURN sum(w.amount_cents) AS withdrawn_cents
}
RETURN orders, placed,
       {held_cents: held_cents, credited_cents: credited_cents,
        withdrawn_cents: withdrawn_cents} AS money
