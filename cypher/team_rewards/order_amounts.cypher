// The amount and refunded cents of the orders $ids (read after their locks): rows
// {order_id, amount_cents, refunded_cents}.
UNWIND $ids AS id
MATCH (o:Order {id: id})
RETURN o.id AS order_id, o.amount_cents AS amount_cents,
       coalesce(o.refunded_cents, 0) AS refunded_cents
