// Stores the paid orders of $rows {order_id, user_id, amount_cents, at, skus, categories,
// item_amounts, fp} not stored yet, under their buyers ($token). Returns ids, those created.
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MATCH (u:User {id: r.user_id})
MERGE (o:Order {id: r.order_id})
  ON CREATE SET o.amount_cents = r.amount_cents, o.refunded_cents = 0, o.currency = 'CNY',
                o.status = 'paid', o.paid_at = r.at, o.user_id = r.user_id,
                o.item_skus = r.skus, o.item_categories = r.categories,
                o.item_amounts = r.item_amounts, o.fp = r.fp,
                o.rebates_computed = false, o.created_tx = $token
WITH r, u, o WHERE o.created_tx = $token
REMOVE o.created_tx
CREATE (u)-[:PLACED]->(o)
RETURN collect(o.id) AS ids
