// The orders of a page of users ($ids) for the projection: amount, payment time, refunded
// amount and the time of the last refund (epoch seconds, null when never refunded), as one
// list of rows.
UNWIND $ids AS id
MATCH (u:User {id: id})-[:PLACED]->(o:Order)
OPTIONAL MATCH (o)-[:REFUNDED_BY]->(f:Refund)
WITH u, o, max(f.at) AS refunded_at
RETURN collect([o.id, u.id, o.amount_cents, o.paid_at.epochSeconds,
                coalesce(o.refunded_cents, 0), refunded_at.epochSeconds]) AS rows
