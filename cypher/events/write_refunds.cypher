// Stores the refunds of $rows {index, refund_id, order_id, amount_cents, at, fp} not stored yet
// ($token), raising refunded_cents (in full: `refunded`), the buyer's touched_at (for
// incremental detection); found, those another writer stored first.
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MATCH (o:Order {id: r.order_id})
OPTIONAL MATCH (buyer:User)-[:PLACED]->(o)
MERGE (f:Refund {id: r.refund_id})
  ON CREATE SET f.order_id = r.order_id, f.amount_cents = r.amount_cents, f.at = r.at,
                f.fp = r.fp, f.created_tx = $token
WITH r, o, f, buyer, coalesce(f.created_tx = $token, false) AS created
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  REMOVE f.created_tx
  SET buyer.touched_at = datetime()
  CREATE (o)-[:REFUNDED_BY]->(f)
  SET o.refunded_cents = o.refunded_cents + r.amount_cents,
      o.status = CASE WHEN o.refunded_cents + r.amount_cents >= o.amount_cents
                      THEN 'refunded' ELSE o.status END)
RETURN count(CASE WHEN created THEN 1 END) AS created,
       collect(CASE WHEN NOT created THEN {kind: 'refund', index: r.index, id: r.refund_id,
               same: f.fp = r.fp} END) AS found
