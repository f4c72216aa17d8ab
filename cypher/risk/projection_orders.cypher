// The orders of a page of users ($ids) for the projection: amount, payment time, refunded
// amount and the time of the last refund (epoch seconds, null when never refunded).
UNWIND $ids AS id
MATCH (u:User {id: id})-[:PLACED]->(o:Order)
OPTIONAL MATCH (o)-[:REFUNDED_BY]->(f:Refund)
WITH u, o, max(f.at) AS refunded_at
RETURN o.id AS order_id, u.id AS user_id, o.amount_cents AS amount_cents,
       o.paid_at.epochSeconds AS paid_at, coalesce(o.refunded_cents, 0) AS refunded_cents,
       refunded_at.epochSeconds AS refunded_at
