// Up to $limit invite tallies of $period ('week:YYYY-MM-DD' / 'month:YYYY-MM-DD') after
// $after {invitees, orders, rebate_cents, user_id} (null: from the top), most invitees first
// (then orders, rebates, id), leaving out users on a risk hold (a ring's hold_ring, or their
// own signals'), confirmed as fraud, or members of a confirmed ring or of one scored at
// $hold_score or more that is not dismissed. Returns rows {user_id, invitees, orders,
// rebate_cents}, and as_of, the last fold's watermark (null before one).
MATCH (t:InviteTally)
WHERE t.period = $period AND t.invitees IS NOT NULL
  AND ($after IS NULL OR t.invitees < $after.invitees
   OR (t.invitees = $after.invitees
       AND (t.orders < $after.orders
            OR (t.orders = $after.orders
                AND (t.rebate_cents < $after.rebate_cents
                     OR (t.rebate_cents = $after.rebate_cents AND t.user_id > $after.user_id))))))
// the period first: the index gives invitees in order, the rest is sorted within a count
WITH t ORDER BY t.period DESC, t.invitees DESC, t.orders DESC, t.rebate_cents DESC, t.user_id
MATCH (u:User {id: t.user_id})
WHERE u.hold_ring IS NULL AND u.risk_confirmed IS NULL
  AND NOT EXISTS {
    MATCH (u)-[:MEMBER_OF]->(ring:Ring)
    WHERE ring.status = 'confirmed' OR (ring.score >= $hold_score AND ring.status <> 'dismissed')
  }
  // held on the user's own signals: rebates of its orders wait under `signals:<id>`
  AND NOT EXISTS { MATCH (rb:Rebate {hold_by: 'signals:' + u.id}) WHERE rb.status = 'held' }
WITH t LIMIT $limit
WITH t ORDER BY t.invitees DESC, t.orders DESC, t.rebate_cents DESC, t.user_id
WITH collect({user_id: t.user_id, invitees: t.invitees, orders: t.orders,
              rebate_cents: t.rebate_cents}) AS rows
OPTIONAL MATCH (s:FoldState {id: 'growth'})
RETURN rows, toString(s.watermark) AS as_of
