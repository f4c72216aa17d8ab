// Stores the refunds of $rows {refund_id, order_id, amount_cents, at, fp} not stored yet ($token)
// and raises the orders' refunded_cents (refunded in full: `refunded`). Returns created.
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MATCH (o:Order {id: r.order_id})
MERGE (f:Refund {id: r.refund_id})
  ON CREATE SET f.order_id = r.order_id, f.amount_cents = r.amount_cents, f.at = r.at,
                f.fp = r.fp, f.created_tx = $token
WITH r, o, f WHERE f.created_tx = $token
REMOVE f.created_tx
CREATE (o)-[:REFUNDED_BY]->(f)
SET o.refunded_cents = o.refunded_cents + r.amount_cents,
    o.status = CASE WHEN o.refunded_cents + r.amount_cents >= o.amount_cents
                    THEN 'refunded' ELSE o.status END
RETURN count(*) AS created
