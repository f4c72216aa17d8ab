// The amount and refunded cents of the orders $ids (read after their locks), and whether the
// buyer is confirmed fraud: rows {order_id, amount_cents, refunded_cents, fraud}.
UNWIND $ids AS id
MATCH (buyer:User)-[:PLACED]->(o:Order {id: id})
RETURN o.id AS order_id, o.amount_cents AS amount_cents,
       coalesce(o.refunded_cents, 0) AS refunded_cents,
       buyer.risk_confirmed IS NOT NULL AS fraud
