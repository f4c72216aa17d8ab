// The inviters whose invite tallies changed since $since (ISO), with the mall-calendar dates
// ($tz) of what changed: new invitees (by registration), new orders of invitees (by payment),
// their own rebates created, held, released, voided or refunded (by creation). Returns rows
// {user_id, day} ('YYYY-MM-DD'), distinct.
CALL () {
  MATCH (inviter:User)-[i:INVITED]->(u:User) WHERE i.created_at >= datetime($since)
  RETURN inviter.id AS user_id, u.registered_at AS at
  UNION
  MATCH (o:Order) WHERE o.received_at >= datetime($since)
  MATCH (inviter:User)-[:INVITED]->(:User)-[:PLACED]->(o)
  RETURN inviter.id AS user_id, o.paid_at AS at
  UNION
  MATCH (rb:Rebate) WHERE rb.created_at >= datetime($since)
  RETURN rb.beneficiary AS user_id, rb.created_at AS at
  UNION
  MATCH (rb:Rebate) WHERE rb.held_at >= datetime($since)
  RETURN rb.beneficiary AS user_id, rb.created_at AS at
  UNION
  MATCH (rb:Rebate) WHERE rb.released_at >= datetime($since)
  RETURN rb.beneficiary AS user_id, rb.created_at AS at
  UNION
  MATCH (rb:Rebate) WHERE rb.voided_at >= datetime($since)
  RETURN rb.beneficiary AS user_id, rb.created_at AS at
  UNION
  MATCH (u:User) WHERE u.touched_at >= datetime($since)
  MATCH (u)-[:PLACED]->(o:Order)-[:EARNS]->(rb:Rebate) WHERE o.refunded_cents > 0
  RETURN rb.beneficiary AS user_id, rb.created_at AS at
}
WITH user_id, at WHERE user_id IS NOT NULL AND at IS NOT NULL
WITH DISTINCT user_id, toString(date(datetime({datetime: at, timezone: $tz}))) AS day
RETURN collect({user_id: user_id, day: day}) AS rows
