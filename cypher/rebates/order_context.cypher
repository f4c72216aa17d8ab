// Per order of $ids not yet computed: items, paid_at (ISO), buyer, and the buyer's upline (ids,
// levels at payment, disabled; three hops at most), in one row: rows, a map per order.
UNWIND $ids AS id
MATCH (buyer:User)-[:PLACED]->(o:Order {id: id})
// Seek by id: a plan cached on a young graph scanned an index per id (docs/design.md).
USING INDEX SEEK o:Order(id)
WHERE o.rebates_computed = false
OPTIONAL MATCH (buyer)<-[:INVITED]-(t1:User)
OPTIONAL MATCH (t1)<-[:INVITED]-(t2:User)
OPTIONAL MATCH (t2)<-[:INVITED]-(t3:User)
RETURN collect({
  order_id: o.id, paid_at: toString(o.paid_at), skus: o.item_skus,
  order_cents: o.amount_cents, refunded_cents: o.refunded_cents,
  categories: o.item_categories, amounts: o.item_amounts, buyer: buyer.id,
  upline: [x IN [t1.id, t2.id, t3.id] WHERE x IS NOT NULL],
  // each beneficiary's level when the order was paid: its registration level
  // (base_level) until the latest level change at or before then
  levels: [x IN [t1, t2, t3] WHERE x IS NOT NULL |
      CASE WHEN x.base_level IS NULL THEN coalesce(x.level, 0)
      ELSE reduce(best = {at: null, level: x.base_level},
                  c IN [(x)-[:LEVEL_CHANGED]->(c:LevelChange) WHERE c.at <= o.paid_at | c] |
                  CASE WHEN best.at IS NULL OR c.at > best.at
                            OR (c.at = best.at AND c.level > best.level)
                       THEN {at: c.at, level: c.level} ELSE best END).level END],
  disabled: [x IN [t1, t2, t3] WHERE x IS NOT NULL | coalesce(x.disabled, false)]
}) AS rows
