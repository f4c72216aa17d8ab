// The rebates of the orders $ids with what refund adjustments need: the order's amount and
// refunded cents, each rebate's original and current amount, status, kind and beneficiary.
UNWIND $ids AS id
MATCH (o:Order {id: id})-[:EARNS]->(rb:Rebate)
RETURN rb.id AS rebate_id, o.amount_cents AS order_cents, o.refunded_cents AS refunded_cents,
       rb.original_cents AS original_cents, rb.amount_cents AS amount_cents,
       rb.status AS status, rb.kind AS kind, rb.beneficiary AS beneficiary
