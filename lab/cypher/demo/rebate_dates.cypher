// The demo's rebates of $order_ids at tier 1: rows {order_id, status, reason, amount_cents,
// payable_at (ISO or null)}, by order id.
MATCH (o:Order)-[:EARNS]->(rb:Rebate {tier: 1})
WHERE o.id IN $order_ids
RETURN o.id AS order_id, rb.status AS status, rb.reason AS reason,
       rb.amount_cents AS amount_cents, toString(rb.payable_at) AS payable_at
ORDER BY order_id
