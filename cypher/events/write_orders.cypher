// Stores the paid orders of $rows {index, order_id, user_id, amount_cents, at, skus, categories,
// item_amounts, fp} not stored yet ($token): ids created; found, those another writer stored first.
// The buyer gets touched_at (for incremental detection).
UNWIND $rows AS row
WITH row {.*, at: datetime(row.at)} AS r
MATCH (u:User {id: r.user_id})
MERGE (o:Order {id: r.order_id})
  ON CREATE SET o.amount_cents = r.amount_cents, o.refunded_cents = 0, o.currency = 'CNY',
                o.status = 'paid', o.paid_at = r.at, o.received_at = datetime(),
                o.user_id = r.user_id, o.item_skus = r.skus, o.item_categories = r.categories,
                o.item_amounts = r.item_amounts, o.fp = r.fp,
                o.rebates_computed = false, o.created_tx = $token
WITH r, u, o, coalesce(o.created_tx = $token, false) AS created
FOREACH (_ IN CASE WHEN created THEN [1] ELSE [] END |
  REMOVE o.created_tx
  SET u.touched_at = datetime()
  CREATE (u)-[:PLACED]->(o))
RETURN collect(CASE WHEN created THEN o.id END) AS ids,
       collect(CASE WHEN NOT created THEN {kind: 'order', index: r.index, id: r.order_id,
               same: o.fp = r.fp} END) AS found
